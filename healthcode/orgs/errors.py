"""Errors of the organisation domain: units, their admins, account retrieval, exports."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound


class InvalidUscc(Invalid):
    code = "invalid_uscc"
    message = "统一社会信用代码无效"


class OrgExists(Conflict):
    code = "org_exists"
    message = "该统一社会信用代码已登记"


class OrgNotFound(NotFound):
    code = "org_not_found"
    message = "单位不存在"


class ParentNotFound(NotFound):
    code = "parent_not_found"
    message = "上级单位不存在，请先创建上级单位"


class InvalidKind(Invalid):
    code = "invalid_kind"
    message = "单位类型无效"


class NoAdmin(Invalid):
    code = "no_admin"
    message = "该单位没有管理员账号"


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"
    message = "首次登录请先修改密码"


class OperatorNoPassword(Forbidden):
    code = "operator_no_password"
    message = "通过个人实名认证登录的经办人无需修改密码"


class ExportFullForbidden(Forbidden):
    code = "export_full_forbidden"
    message = "本单位无权导出该数据的完整信息，请取消勾选“导出完整信息”后导出（默认按页面脱敏显示导出）"


class NetworkRefused(Forbidden):
    code = "network_refused"
    message = "账号获取仅限在福建省政务信息网（政务外网）内访问"


class NotGovernment(Forbidden):
    code = "not_government"
    message = "企业和社区（村）等机构请登录福建省社会用户实名认证和授权平台注册"


class AlreadyDelivered(Conflict):
    code = "already_delivered"
    message = "本单位账号已发放或已登录使用，不能在此重新获取"


class OwnUnit(Forbidden):
    code = "own_unit"
    message = "不能重置本单位的密码，请在“修改密码”中修改"


class NotUnitAdmin(Forbidden):
    code = "not_unit_admin"
    message = "只有本单位管理员账号可以管理具名用户"


class InvalidUsername(Invalid):
    code = "invalid_username"
    message = "用户名应以英文字母开头，由4至32位英文字母、数字、点、下划线或连字符组成"


class NotAuthorityOperator(Forbidden):
    code = "not_authority_operator"
    message = "操作人须为疫情防控指挥部的有效账号（单位管理员账号或具名用户的用户名）"


class NotAuthorityUnit(Forbidden):
    code = "not_authority_unit"
    message = "具名用户只能添加到疫情防控指挥部（HEALTHCODE_AUTHORITY_USCCS 所列单位）"
