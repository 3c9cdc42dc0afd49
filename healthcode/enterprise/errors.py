"""Errors of the enterprise domain, with their Chinese messages."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unauthorised


class NotEnterprise(Forbidden):
    code = "not_enterprise"
    message = "该账号不是企业账号，无法进入企业后台"


class EmployeeNotFound(NotFound):
    code = "employee_not_found"
    message = "员工不存在或不属于本企业"


class ReportNotFound(NotFound):
    code = "report_not_found"
    message = "上报记录不存在或无权查看"


class EmployeeExists(Conflict):
    code = "employee_exists"
    message = "该员工已存在"


class RequestExists(Conflict):
    code = "request_exists"
    message = "已向该居民发送过员工确认请求"


class RequestNotFound(NotFound):
    code = "request_not_found"
    message = "没有找到该员工确认请求"


class RequestState(Invalid):
    code = "request_state"
    message = "该请求的状态已变化，请刷新后重试"


class IdNumberFixed(Invalid):
    code = "id_number_fixed"
    message = "身份证号不能修改；如需更换人员，请删除该员工后重新新增（需本人确认）"


class RealNameMismatch(Invalid):
    code = "name_mismatch"
    message = "姓名与该身份证号的实名信息不一致"


class NothingSelected(Invalid):
    code = "nothing_selected"
    message = "请先勾选员工"


class InvalidReportType(Invalid):
    code = "invalid_report_type"
    message = "上报类型无效"


class InvalidSymptoms(Invalid):
    code = "invalid_symptoms"
    message = "请选择症状（可多选；无症状请选“无”）"


class DuplicateReport(Conflict):
    code = "duplicate_report"
    message = "同一居民同一天只能有一份健康上报"


class FileTooLarge(TooLarge):
    code = "file_too_large"
    message = "文件过大，请删去多余内容或拆分为多个文件后分批导入"


class TooManyRows(Invalid):
    code = "too_many_rows"
    message = "导入的员工过多，请拆分文件"


class EmptyFile(Invalid):
    code = "empty_file"
    message = "文件中没有员工数据"


class MissingColumns(Invalid):
    code = "missing_columns"
    message = "文件缺少列"


class DisputeNotFound(NotFound):
    code = "dispute_not_found"
    message = "异议记录不存在"


class DisputeResolved(Conflict):
    code = "dispute_resolved"
    message = "该异议已处理，不能重复处理"


class InvalidNote(Invalid):
    code = "invalid_note"
    message = "处理说明不超过200个字"


class HolderChanged(Conflict):
    code = "holder_changed"
    message = "该统一社会信用代码的登记单位已变化，请核实后驳回本异议"


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    message = "企业注册信息不存在"


class AlreadyVerified(Conflict):
    code = "already_verified"
    message = "本企业注册已完成验证，无需重复验证"


class RegistrationPending(Forbidden):
    code = "pending_verification"
    message = "该企业注册尚未完成验证，请先由法定代表人完成验证后再关联"


class LevelTooLow(Forbidden):
    code = "level_too_low"
    message = "实名认证等级不足"


class NotOperator(Forbidden):
    code = "not_operator"
    message = "您不是该企业的经办人"


class NotLegal(Forbidden):
    code = "not_legal"
    message = "您的身份证号与该企业注册时登记的法定代表人身份证号不一致，验证未通过"


class NotAssociated(Forbidden):
    code = "not_associated"
    message = "您尚未关联该企业"


class OperatorExists(Conflict):
    code = "operator_exists"
    message = "该身份证号已是本企业经办人"


class OperatorNotFound(NotFound):
    code = "operator_not_found"
    message = "经办人不存在或不属于本企业"


class EnterpriseNameMismatch(Forbidden):
    code = "name_mismatch"
    message = "企业名称与统一社会信用代码不匹配"


class NoAdmin(Forbidden):
    code = "no_admin"
    message = "该企业没有管理员账号"


class CaLoginDisabled(NotFound):
    code = "ca_login_disabled"
    message = "未启用CA证书登录，请使用账号密码登录"


class NoCertificate(Unauthorised):
    code = "no_certificate"
    message = "未检测到CA证书，请插入企业CA证书后重试"


class BadCertificate(Unauthorised):
    code = "bad_certificate"
    message = "无法读取CA证书，请确认已插入企业CA证书"


class UntrustedCertificate(Unauthorised):
    code = "untrusted_certificate"
    message = "CA证书不是由认可的证书机构签发"


class ExpiredCertificate(Unauthorised):
    code = "expired_certificate"
    message = "CA证书不在有效期内"


class NoUscc(Unauthorised):
    code = "no_uscc"
    message = "CA证书中没有统一社会信用代码"


class ImportFileGone(NotFound):
    code = "import_file_gone"
    message = "该导入文件或错误报告不存在或已过期（保留 30 分钟，仅上传者本人可用），请重新导入"
