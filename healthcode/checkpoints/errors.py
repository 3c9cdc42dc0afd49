"""Errors of checkpoints: scanners, scan points, scans and their feedback."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound


class NotAuthorised(Forbidden):
    code = "not_authorised"
    message = "仅经单位授权的扫码员可以使用扫码功能"


class ScannerExists(Conflict):
    code = "scanner_exists"
    message = "该手机号已注册为扫码员"


class ScannerNotFound(NotFound):
    code = "scanner_not_found"
    message = "本单位没有该扫码员"


class PointNotFound(NotFound):
    code = "point_not_found"
    message = "扫码点不存在，请先上报扫码点"


class PersonNotFound(NotFound):
    code = "person_not_found"
    message = "该健康码对应的居民不存在"


class ScanNotFound(NotFound):
    code = "scan_not_found"
    message = "扫码记录不存在"


class InvalidPassReason(Invalid):
    code = "invalid_pass_reason"
    message = "通行原因无效"


class InvalidTemperatureResult(Invalid):
    code = "invalid_temperature_result"
    message = "体温结果应为 normal（体温正常）或 abnormal（体温异常）"


class TemperatureContradictsResult(InvalidTemperatureResult):
    """A temperature given with a 体温结果 it contradicts (≥ 37.3 ℃ is abnormal, healthcode/common/temperature.py):
    the result is decided by the temperature, so the pair is invalid feedback. Same code as any invalid result."""

    message = "体温结果与所填体温不符：37.3℃ 及以上为体温异常，以下为体温正常"


class PasswordMismatch(Invalid):
    code = "password_mismatch"
    message = "两次输入的登录密码不一致"


class OrgNameMismatch(Invalid):
    code = "org_name_mismatch"
    message = "企业（单位）名称与统一社会信用代码不符，请按营业执照或法人证书填写"


class TooOld(Invalid):
    code = "too_old"
    message = "离线扫码记录已超过24小时，不能补传"


class NameMismatch(Invalid):
    code = "name_mismatch"
    message = "姓名与身份证号不符，请核对证件后重新输入"


class UnknownPerson(Invalid):
    code = "unknown_person"
    message = "平台未登记该身份证号的居民，无法核验姓名，请其出示健康码或按本单位规定登记"
