/* problem.c: RFC 9457 problem details, localized (zh-CN / en; zh-TW from
 * the zh-CN texts through zh_tw_table.c).
 *
 * `title` and `detail` are for the kiosk's screen, `code` for its program.
 * Details never echo the request back: what a stranger typed into a URL
 * must not end up on a citizen's screen.
 */
#include "gw.h"
#include "gw_pay.h"

#include <stdlib.h>
#include <string.h>

/* A code may have a scope ("staff:code_used"): it is looked up whole and
 * sent without its scope, so one code name can stand for another status on
 * another endpoint (a staff code used twice is 409, a login code 400). */
struct problem_def {
	const char *code;
	int status;
	bool specific;               /* never chosen by reply_problem_status */
	const char *title[LANG_N];   /* zh-CN and English; zh-TW: lang_pick */
	const char *detail[LANG_N];
};

static const struct problem_def defs[] = {
	{ "not_found", 404, false, { "未找到", "Not found" },
	  { "请求的地址不存在。", "There is nothing at this address." } },
	{ "service_not_found", 404, false, { "事项不存在", "Service not found" },
	  { "该服务事项不存在或已下线，请返回目录重新选择。",
	    "This service does not exist or has been withdrawn. Please go back to the catalogue and choose again." } },
	{ "method_not_allowed", 405, false, { "不支持的请求方法", "Method not allowed" },
	  { "该地址不支持此请求方法。", "This address does not accept this request method." } },
	{ "bad_json", 400, false, { "请求格式错误", "Malformed request" },
	  { "请求内容不是有效的 JSON 对象。", "The request body is not a valid JSON object." } },
	{ "body_too_large", 413, false, { "请求内容过大", "Request too large" },
	  { "请求内容不能超过 64 KiB。", "The request body must not exceed 64 KiB." } },
	{ "validation_failed", 422, false, { "填写内容有误", "Invalid input" },
	  { "请根据提示修改后重新提交。", "Please correct the fields shown and try again." } },
	{ "simulated_failure", 500, false, { "服务暂时不可用", "Service temporarily unavailable" },
	  { "模拟故障：请稍后再试。", "Simulated failure: please try again later." } },
	/* Logins. session_expired is also what /sim/faults "status": 401 answers. */
	{ "session_expired", 401, false, { "登录已过期，请重新登录", "Your session has expired. Please log in again" },
	  { "为保护您的个人信息，登录已失效。请重新登录后继续办理。",
	    "To protect your personal information you have been logged out. Please log in again to continue." } },
	{ "code_invalid", 400, true, { "无法识别的登录码", "Login code not recognised" },
	  { "这不是有效的登录码。请在政务服务App中打开“扫码登录”，出示新的登录码。",
	    "This is not a valid login code. Please open the login code in the government services app and show a new one." } },
	{ "code_expired", 400, true, { "登录码已过期", "Login code expired" },
	  { "登录码已过期，请在手机上刷新登录码后重新扫码。",
	    "This login code has expired. Please refresh it on your phone and scan again." } },
	{ "code_used", 400, true, { "登录码已使用", "Login code already used" },
	  { "该登录码已经使用过，每个登录码只能使用一次。请在手机上刷新后重新扫码。",
	    "This login code has already been used; each code works once. Please refresh it on your phone and scan again." } },
	{ "auth_busy", 503, true, { "登录繁忙", "Login busy" },
	  { "当前登录人数较多，请稍后再试。", "Too many logins at the moment. Please try again shortly." } },
	/* Simulator (the citizen's phone). */
	{ "user_code_not_found", 404, true, { "授权码不存在", "User code not found" },
	  { "没有与该授权码对应的登录请求。", "There is no login request with this user code." } },
	{ "user_code_expired", 400, true, { "授权码已过期", "User code expired" },
	  { "该登录请求已过期，请在自助终端上重新生成二维码。",
	    "This login request has expired. Please make a new QR code on the kiosk." } },
	{ "user_code_decided", 409, true, { "登录请求已处理", "Login request already decided" },
	  { "该登录请求已被确认或拒绝。", "This login request has already been approved or denied." } },
	{ "citizen_not_found", 404, true, { "居民不存在", "Citizen not found" },
	  { "没有这个示例居民。", "There is no demo citizen with this id." } },
	/* Bills and payments (pay.c). */
	{ "bad_query", 400, true, { "查询条件有误", "Invalid query" },
	  { "请检查缴费类型和户号后重新查询。", "Please check the bill type and the account number and try again." } },
	{ "account_not_found", 404, true, { "户号不存在", "Account not found" },
	  { "没有查到该户号，请核对缴费通知单上的户号后重新输入。",
	    "No account was found with this number. Please check the number on your bill and enter it again." } },
	{ "bill_not_found", 404, true, { "账单不存在", "Bill not found" },
	  { "该账单不存在或已撤销，请重新查询账单。",
	    "This bill does not exist or has been withdrawn. Please look up your bills again." } },
	{ "application_not_found", 404, true, { "申请不存在", "Application not found" },
	  { "没有找到该项申请。", "There is no such application." } },
	/* Applications (apps.c). */
	{ "service_has_no_form", 422, true, { "该事项无需填表", "No form to fill in" },
	  { "该事项没有可在自助终端提交的表单，请直接到窗口办理或取号。",
	    "This service has no form to send from a kiosk. Please go to the window or take a number." } },
	{ "application_no_fee", 409, true, { "该申请无需缴费", "No fee to pay" },
	  { "该项申请不收取费用，无需缴费。", "This application has no fee; there is nothing to pay." } },
	{ "application_already_paid", 409, true, { "该申请已缴费", "Fee already paid" },
	  { "该项申请的费用已经缴纳成功，无需重复缴费。", "The fee of this application has already been paid; there is nothing more to pay." } },
	{ "application_final", 409, true, { "申请已办结", "Application closed" },
	  { "该申请已办结或不予受理，状态不能再改变。",
	    "This application has been completed or refused; its status cannot change any more." } },
	{ "payment_not_found", 404, true, { "支付订单不存在", "Payment not found" },
	  { "该支付订单不存在。", "There is no such payment." } },
	{ "bill_already_paid", 409, true, { "账单已缴清", "Bill already paid" },
	  { "该账单已经缴费成功，无需重复缴费。", "This bill has already been paid; there is nothing more to pay." } },
	{ "payment_in_progress", 409, true, { "该账单正在支付中", "Payment in progress" },
	  { "该账单已有一笔未完成的支付，请先完成或取消该笔支付，或在几分钟后再试。",
	    "There is already an unfinished payment for this bill. Please finish or cancel it, or try again in a few minutes." } },
	{ "already_paid", 409, true, { "已支付成功", "Already paid" },
	  { "该笔支付已经成功，无法取消或再次支付。",
	    "This payment has already succeeded; it cannot be cancelled or paid again." } },
	{ "payment_closed", 409, true, { "支付已结束", "Payment closed" },
	  { "该笔支付已取消、失败或超时，请重新发起支付。",
	    "This payment was cancelled, failed or has expired. Please start a new payment." } },
	{ "idempotency_key_invalid", 400, true, { "缺少有效的幂等键", "Missing or invalid Idempotency-Key" },
	  { "创建支付或提交申请须带有 UUID 格式的 Idempotency-Key 请求头。",
	    "Creating a payment or sending an application needs an Idempotency-Key header holding a UUID." } },
	{ "idempotency_key_reuse", 422, true, { "幂等键已被使用", "Idempotency-Key reused" },
	  { "该 Idempotency-Key 已用于另一个内容不同的请求，请使用新的键。",
	    "This Idempotency-Key was already used for a different request. Please use a new key." } },
	{ "kiosk_id_required", 400, true, { "缺少终端编号", "Kiosk id required" },
	  { "自助终端的请求须带有 X-Kiosk-Id 请求头。",
	    "Requests from a kiosk need an X-Kiosk-Id header." } },
	{ "payment_code_invalid", 422, true, { "无法识别的付款码", "Payment code not recognised" },
	  { "这不是有效的付款码。请在微信或支付宝中打开“付款码”后重新扫码。",
	    "This is not a valid payment code. Please open the payment code in WeChat or Alipay and scan again." } },
	{ "payment_code_refused", 402, true, { "付款码支付未成功", "Payment code refused" },
	  { "付款未成功，可能是余额不足或付款码已失效。请刷新付款码后重试，或改用扫码支付。",
	    "The payment did not go through: the balance may be too low or the code may have expired. Please refresh the code and try again, or scan the payment QR instead." } },
	/* The service hall (hall.c). */
	{ "invalid_code", 404, true, { "无效的工作人员码", "Staff code not recognised" },
	  { "这不是有效的工作人员码，请重新扫描工作证或使用新的工作人员码。",
	    "This is not a valid staff code. Please scan your staff card again or use a new code." } },
	{ "staff:code_used", 409, true, { "工作人员码已使用", "Staff code already used" },
	  { "该工作人员码已经使用过，每个码只能使用一次，请获取新的工作人员码。",
	    "This staff code has already been used; each code works once. Please get a new one." } },
	{ "staff:code_expired", 410, true, { "工作人员码已过期", "Staff code expired" },
	  { "该工作人员码已过有效期，请获取新的工作人员码。",
	    "This staff code has expired. Please get a new one." } },
	{ "unknown_service", 404, true, { "事项不存在", "Service not found" },
	  { "该服务事项不存在或已下线，无法取号，请返回重新选择。",
	    "This service does not exist or has been withdrawn, so no number can be taken for it. Please go back and choose again." } },
	{ "no_queue", 422, true, { "该事项无需取号", "No queue for this service" },
	  { "该事项不在大厅窗口办理，无需排队取号，请直接在自助终端或网上办理。",
	    "This service is not handled at a window of the hall, so there is no number to take. Please use the kiosk or apply online." } },
	{ "invalid_rating", 422, true, { "评价内容有误", "Invalid rating" },
	  { "请选择1到5分的评价，最多5个原因，留言不超过200字。",
	    "Please give a score from 1 to 5, at most 5 reasons and a comment of at most 200 characters." } },
	{ "unknown_subject", 404, true, { "评价对象不存在", "Nothing to rate" },
	  { "没有找到要评价的办件、缴费或取号记录。",
	    "The application, payment or ticket to rate was not found." } },
	{ "already_rated", 409, true, { "已经评价过", "Already rated" },
	  { "这项服务已经评价过了，感谢您的反馈。", "This service has already been rated. Thank you for your feedback." } },
	{ "no_config", 404, true, { "暂无终端配置", "No configuration" },
	  { "该终端还没有远程配置，继续使用本机配置。",
	    "There is no remote configuration for this kiosk yet; it keeps its own settings." } },
	{ "operator_token_required", 401, true, { "需要运维令牌", "Operator token required" },
	  { "查看终端运行状态须带有有效的运维令牌（Authorization: Bearer）。",
	    "Viewing the kiosks' health needs a valid operator token (Authorization: Bearer)." } },
	/* Last: the fallback for unknown codes. */
	{ "internal_error", 500, false, { "系统内部错误", "Internal error" },
	  { "系统出现故障，请稍后再试或联系工作人员。",
	    "Something went wrong. Please try again later or ask a member of staff." } },
};

void reply_problem(const struct req *rq, struct reply *rp, const char *code, json_t *errors)
{
	const struct problem_def *d = &defs[sizeof defs / sizeof defs[0] - 1]; /* internal_error */
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		if (!strcmp(defs[i].code, code))
			d = &defs[i];
	const char *sent = strchr(d->code, ':') ? strchr(d->code, ':') + 1 : d->code;
	json_t *j = json_pack("{s:s+, s:s, s:i, s:s, s:s}",
	                      "type", "urn:kiosk-gateway:problem:", sent,
	                      "title", lang_pick(rq->lang, d->title[LANG_ZH], d->title[LANG_EN]),
	                      "status", d->status,
	                      "detail", lang_pick(rq->lang, d->detail[LANG_ZH], d->detail[LANG_EN]),
	                      "code", sent);
	if (!j)
		abort();
	if (errors)
		json_object_set_new(j, "errors", errors);
	reply_json(rp, d->status, j);
	if (d->status == 401)
		rp->www_authenticate = "Bearer realm=\"gatewayd\"";
	rp->content_type = "application/problem+json";
	rp->localized = true;
	rp->etag = false;
	rp->cache_control = "no-store";
}

void reply_problem_status(const struct req *rq, struct reply *rp, int status)
{
	if (status == 404 && !strncmp(rq->path, "/v1/services/", 13)) {
		reply_problem(rq, rp, "service_not_found", NULL);
		return;
	}
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		if (defs[i].status == status && !defs[i].specific) {
			reply_problem(rq, rp, defs[i].code, NULL);
			return;
		}
	}
	reply_problem(rq, rp, "simulated_failure", NULL);
	json_object_set_new(rp->json, "status", json_integer(status));
	rp->status = status;
}

json_t *problem_error(const char *field, const char *code, const char *message)
{
	json_t *e = json_object(), *f = json_string(field);
	if (!e)
		abort();
	json_object_set_new(e, "field", f ? f : json_string("?")); /* f: invalid UTF-8 */
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(message));
	return e;
}

/* Validation messages of the payment endpoints (pay.c), here so that
 * zh_tw_gen.py finds their zh-CN texts. */
static const struct {
	const char *id, *zh, *en;
} pay_msgs[] = {
	{ "bad_type", "须为 water、electricity、gas、traffic_fine 之一",
	  "must be one of water, electricity, gas, traffic_fine" },
	{ "bad_account", "须为 6 到 20 位数字", "must be 6 to 20 digits" },
	{ "bad_bill_id", "须为账单编号（字符串）", "must be a bill id (a string)" },
	{ "bad_application_id", "须为申请编号（字符串）", "must be an application id (a string)" },
	{ "one_of", "须填写 bill_id 或 application_id 之一", "give one of bill_id and application_id" },
	{ "unknown_field", "不认识的字段", "unknown field" },
	{ "key_missing", "缺少该请求头", "this header is missing" },
	{ "key_invalid", "须为 UUID，如 123e4567-e89b-12d3-a456-426614174000",
	  "must be a UUID, such as 123e4567-e89b-12d3-a456-426614174000" },
	{ "kiosk_invalid", "须为 1 到 64 个可打印的 ASCII 字符",
	  "must be 1 to 64 printable ASCII characters" },
};

const char *pay_message(const struct req *rq, const char *id)
{
	for (size_t i = 0; i < sizeof pay_msgs / sizeof pay_msgs[0]; i++)
		if (!strcmp(pay_msgs[i].id, id))
			return lang_pick(rq->lang, pay_msgs[i].zh, pay_msgs[i].en);
	return "";
}
