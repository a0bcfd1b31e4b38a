/* problem.c: RFC 9457 problem details, localized (zh-CN / en; zh-TW from
 * the zh-CN texts through zh_tw_table.c).
 *
 * `title` and `detail` are for the kiosk's screen, `code` for its program.
 * Details never echo the request back: what a stranger typed into a URL
 * must not end up on a citizen's screen.
 */
#include "gw.h"

#include <stdlib.h>
#include <string.h>

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
	json_t *j = json_pack("{s:s+, s:s, s:i, s:s, s:s}",
	                      "type", "urn:kiosk-gateway:problem:", d->code,
	                      "title", lang_pick(rq->lang, d->title[LANG_ZH], d->title[LANG_EN]),
	                      "status", d->status,
	                      "detail", lang_pick(rq->lang, d->detail[LANG_ZH], d->detail[LANG_EN]),
	                      "code", d->code);
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
