/* test_pinyin.c: hanzi -> toneless pinyin (kiosk/core/pinyin.c and the
 * generated kiosk/core/pinyin_data.c): polyphones read in context,
 * Traditional, single characters, what has no reading, the syllable table,
 * and several hundred words of government services whose readings were
 * written here by hand (not taken from the generator's sources), so a wrong
 * source or a wrong generator fails here. A reading the sources get wrong
 * is fixed in data/pinyin_override.txt, never in this table. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pinyin.h"
#include "text.h"

TestSuite(pinyin);

#define MAXCP 64

static size_t decode(const char *s, uint32_t *cps)
{
	size_t len = strlen(s), i = 0, n = 0;

	while (i < len) {
		unsigned cp;

		cr_assert_lt(n, (size_t)MAXCP);
		i += text_utf8_decode(s + i, len - i, &cp);
		cps[n++] = cp;
	}
	return n;
}

/* pinyin_read of s as "yin hang ka"; a character with no reading is "_". */
static const char *reading(const char *s)
{
	static char out[MAXCP * 8];
	uint32_t cps[MAXCP];
	uint16_t ids[MAXCP];
	size_t n = decode(s, cps), o = 0;

	memset(ids, 0xAB, sizeof ids);
	pinyin_read(cps, n, ids);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *syl = ids[i] ? pinyin_syllable(ids[i]) : "_";

		cr_assert_not_null(syl, "id %u out of range at %zu of %s", ids[i], i, s);
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? " " : "", syl);
	}
	return out;
}

struct word {
	const char *hanzi, *pinyin;
};

/* Checks every word, reporting each wrong one. */
static void check_words(const struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = reading(w[i].hanzi);

		cr_expect_str_eq(got, w[i].pinyin, "%s read \"%s\", want \"%s\"",
				 w[i].hanzi, got, w[i].pinyin);
	}
}
#define CHECK_WORDS(tab) check_words(tab, sizeof tab / sizeof tab[0])

/* The polyphones search must get right. */
static const struct word polyphones[] = {
	{ "银行", "yin hang" },
	{ "行驶证", "xing shi zheng" },
	{ "重新", "chong xin" },
	{ "重度", "zhong du" },
	{ "长期", "chang qi" },
	{ "单位", "dan wei" },
	{ "参保", "can bao" },
	{ "个人参保", "ge ren can bao" },
	{ "还款", "huan kuan" },
	{ "调解", "tiao jie" },
	{ "重庆", "chong qing" },
	{ "住房公积金提取", "zhu fang gong ji jin ti qu" },
	{ "医院挂号", "yi yuan gua hao" },
	{ "社保查询", "she bao cha xun" },
	{ "行政", "xing zheng" },
	{ "银行卡", "yin hang ka" },
	{ "补办", "bu ban" },
	{ "长春", "chang chun" },
	{ "校长", "xiao zhang" },
	{ "朝阳", "chao yang" },
	{ "会计", "kuai ji" },
	{ "传单", "chuan dan" },
	/* the same characters, other words */
	{ "行业", "hang ye" },
	{ "行长", "hang zhang" },
	{ "银行行长", "yin hang hang zhang" },
	{ "执行", "zhi xing" },
	{ "出行", "chu xing" },
	{ "步行", "bu xing" },
	{ "行为", "xing wei" },
	{ "重要", "zhong yao" },
	{ "重大", "zhong da" },
	{ "重点", "zhong dian" },
	{ "重量", "zhong liang" },
	{ "重复", "chong fu" },
	{ "重置密码", "chong zhi mi ma" },
	{ "重新申请", "chong xin shen qing" },
	{ "重度残疾", "zhong du can ji" },
	{ "长沙", "chang sha" },
	{ "长度", "chang du" },
	{ "长途", "chang tu" },
	{ "延长", "yan chang" },
	{ "增长", "zeng zhang" },
	{ "成长", "cheng zhang" },
	{ "家长", "jia zhang" },
	{ "局长", "ju zhang" },
	{ "处长", "chu zhang" },
	{ "长辈", "zhang bei" },
	{ "长期护理保险", "chang qi hu li bao xian" },
	{ "会议", "hui yi" },
	{ "社会", "she hui" },
	{ "会员", "hui yuan" },
	{ "会计师", "kuai ji shi" },
	{ "归还", "gui huan" },
	{ "偿还", "chang huan" },
	{ "还贷", "huan dai" },
	{ "提前还款", "ti qian huan kuan" },
	{ "还是", "hai shi" },
	{ "调查", "diao cha" },
	{ "调动", "diao dong" },
	{ "调整", "tiao zheng" },
	{ "空调", "kong tiao" },
	{ "人民调解", "ren min tiao jie" },
	{ "单独", "dan du" },
	{ "账单", "zhang dan" },
	{ "罚单", "fa dan" },
	{ "参加", "can jia" },
	{ "参考", "can kao" },
	{ "参与", "can yu" },
	{ "人参", "ren shen" },
	{ "工人参加", "gong ren can jia" },
	{ "朝鲜", "chao xian" },
	{ "朝代", "chao dai" },
	{ "朝阳区", "chao yang qu" },
	{ "传真", "chuan zhen" },
	{ "传染病", "chuan ran bing" },
	{ "效率", "xiao lv" },
	{ "利率", "li lv" },
	{ "汇率", "hui lv" },
	{ "税率", "shui lv" },
	{ "率先", "shuai xian" },
	{ "处理", "chu li" },
	{ "处罚", "chu fa" },
	{ "办事处", "ban shi chu" },
	{ "出差", "chu chai" },
	{ "差旅费", "chai lv fei" },
	{ "差别", "cha bie" },
	{ "给予", "ji yu" },
	{ "供给", "gong ji" },
	{ "给付", "ji fu" },
	{ "方便", "fang bian" },
	{ "便民", "bian min" },
	{ "便宜", "pian yi" },
	{ "西藏", "xi zang" },
	{ "收藏", "shou cang" },
	{ "种类", "zhong lei" },
	{ "种植", "zhong zhi" },
	{ "接种", "jie zhong" },
	{ "曾经", "ceng jing" },
	{ "提供", "ti gong" },
	{ "供暖", "gong nuan" },
	{ "供养", "gong yang" },
	{ "头发", "tou fa" },
	{ "发票", "fa piao" },
	{ "音乐", "yin yue" },
	{ "快乐", "kuai le" },
	{ "节省", "jie sheng" },
	{ "首都", "shou du" },
	{ "成都", "cheng du" },
	{ "暖和", "nuan huo" },
	{ "和平", "he ping" },
	{ "土地", "tu di" },
	{ "数据", "shu ju" },
	{ "血液", "xue ye" },
	{ "献血", "xian xue" },
	{ "应用", "ying yong" },
	{ "相关", "xiang guan" },
	{ "照相", "zhao xiang" },
	{ "没有", "mei you" },
	{ "转账", "zhuan zhang" },
	{ "结算", "jie suan" },
	{ "奇数", "ji shu" },
	{ "中奖", "zhong jiang" },
	{ "角色", "jue se" },
	{ "勉强", "mian qiang" },
	{ "强制", "qiang zhi" },
	{ "薄弱", "bo ruo" },
	{ "大夫", "dai fu" },
	{ "模样", "mu yang" },
	{ "着急", "zhao ji" },
	{ "打折", "da zhe" },
	{ "分散", "fen san" },
	{ "担保", "dan bao" },
	{ "负担", "fu dan" },
	{ "称号", "cheng hao" },
	{ "名称", "ming cheng" },
	{ "假期", "jia qi" },
	{ "请假", "qing jia" },
	{ "关系", "guan xi" },
	{ "计划", "ji hua" },
	{ "困难", "kun nan" },
	{ "难民", "nan min" },
	{ "投降", "tou xiang" },
	{ "降价", "jiang jia" },
	{ "大厦", "da sha" },
	{ "厦门", "xia men" },
	{ "号码", "hao ma" },
	{ "数量", "shu liang" },
	{ "测量", "ce liang" },
	{ "干部", "gan bu" },
	{ "干净", "gan jing" },
	{ "作为", "zuo wei" },
	{ "为民服务", "wei min fu wu" },
	{ "农行", "nong hang" },
	{ "建行", "jian hang" },
	{ "财会", "cai kuai" },
	{ "校对", "jiao dui" },
	{ "水表校验", "shui biao jiao yan" },
	{ "没收", "mo shou" },
	{ "角落", "jiao luo" },
	{ "剥夺", "bo duo" },
	{ "更换", "geng huan" },
	{ "还清", "huan qing" },
	{ "退还", "tui huan" },
	{ "返还", "fan huan" },
	{ "分期还款", "fen qi huan kuan" },
	/* what the sources read wrong (data/pinyin_override.txt) */
	{ "还房贷", "huan fang dai" },
	{ "还信用卡", "huan xin yong ka" },
	{ "还有", "hai you" },
	{ "还要", "hai yao" },
	{ "参保地", "can bao di" },
	{ "就医地", "jiu yi di" },
	{ "生源地", "sheng yuan di" },
	{ "地址", "di zhi" },
	{ "泊车", "bo che" },
	{ "停泊", "ting bo" },
	{ "湖泊", "hu po" },
	{ "给水", "ji shui" },
	{ "长护险", "chang hu xian" },
	{ "重办", "chong ban" },
	{ "重办身份证", "chong ban shen fen zheng" },
	{ "重签", "chong qian" },
	{ "重领", "chong ling" },
	{ "重审", "chong shen" },
	{ "重填", "chong tian" },
	{ "重录", "chong lu" },
	{ "重考", "chong kao" },
	{ "重打", "chong da" },
	{ "二〇二六年", "er ling er liu nian" },
};

Test(pinyin, polyphones)
{
	CHECK_WORDS(polyphones);
}

/* Traditional characters: the phrases match them too. */
static const struct word traditional[] = {
	{ "銀行", "yin hang" },
	{ "行駛證", "xing shi zheng" },
	{ "長期", "chang qi" },
	{ "單位", "dan wei" },
	{ "參保", "can bao" },
	{ "個人參保", "ge ren can bao" },
	{ "還款", "huan kuan" },
	{ "調解", "tiao jie" },
	{ "重慶", "chong qing" },
	{ "長春", "chang chun" },
	{ "會計", "kuai ji" },
	{ "銀行卡", "yin hang ka" },
	{ "住房公積金提取", "zhu fang gong ji jin ti qu" },
	{ "社保查詢", "she bao cha xun" },
	{ "醫院掛號", "yi yuan gua hao" },
	{ "駕駛證", "jia shi zheng" },
	{ "營業執照", "ying ye zhi zhao" },
	{ "戶籍", "hu ji" },
	{ "出入境", "chu ru jing" },
	{ "護照", "hu zhao" },
	{ "不動產登記", "bu dong chan deng ji" },
	{ "稅務", "shui wu" },
	{ "結婚登記", "jie hun deng ji" },
	{ "養老保險", "yang lao bao xian" },
	{ "殘疾人", "can ji ren" },
	{ "重新辦理", "chong xin ban li" },
	{ "長沙", "chang sha" },
	{ "調查", "diao cha" },
	{ "傳單", "chuan dan" },
	/* a simplified character with several traditional forms */
	{ "重複", "chong fu" },
	{ "重復", "chong fu" },
	{ "頭髮", "tou fa" },
	{ "發票", "fa piao" },
	{ "以後", "yi hou" },
	{ "幹部", "gan bu" },
	{ "衝突", "chong tu" },
	{ "臺灣", "tai wan" },
	{ "餘額", "yu e" },
	/* mixed scripts still match */
	{ "银行卡掛失", "yin hang ka gua shi" },
	{ "長期居住", "chang qi ju zhu" },
};

Test(pinyin, traditional)
{
	CHECK_WORDS(traditional);
}

/* A few hundred words and service names of government service halls. */
static const struct word services[] = {
	/* 社保 */
	{ "社保", "she bao" },
	{ "社会保险", "she hui bao xian" },
	{ "社保卡", "she bao ka" },
	{ "社保缴费", "she bao jiao fei" },
	{ "社保缴费查询", "she bao jiao fei cha xun" },
	{ "社会保障卡", "she hui bao zhang ka" },
	{ "社会保障卡申领", "she hui bao zhang ka shen ling" },
	{ "社保卡挂失", "she bao ka gua shi" },
	{ "社保卡补换", "she bao ka bu huan" },
	{ "参保登记", "can bao deng ji" },
	{ "参保证明", "can bao zheng ming" },
	{ "个人社保参保证明打印", "ge ren she bao can bao zheng ming da yin" },
	{ "个人参保证明查询", "ge ren can bao zheng ming cha xun" },
	{ "参保人员", "can bao ren yuan" },
	{ "单位参保登记", "dan wei can bao deng ji" },
	{ "单位缴费", "dan wei jiao fei" },
	{ "单位名称", "dan wei ming cheng" },
	{ "参保缴费", "can bao jiao fei" },
	{ "养老保险", "yang lao bao xian" },
	{ "失业保险", "shi ye bao xian" },
	{ "工伤保险", "gong shang bao xian" },
	{ "生育保险", "sheng yu bao xian" },
	{ "医疗保险", "yi liao bao xian" },
	{ "失业保险金申领", "shi ye bao xian jin shen ling" },
	{ "失业登记", "shi ye deng ji" },
	{ "养老金", "yang lao jin" },
	{ "退休", "tui xiu" },
	{ "退休审批", "tui xiu shen pi" },
	{ "工伤认定", "gong shang ren ding" },
	{ "工伤认定申请", "gong shang ren ding shen qing" },
	{ "劳动能力鉴定", "lao dong neng li jian ding" },
	{ "社保转移", "she bao zhuan yi" },
	{ "养老保险关系跨省转移接续", "yang lao bao xian guan xi kua sheng zhuan yi jie xu" },
	{ "个人账户", "ge ren zhang hu" },
	{ "个人账户查询", "ge ren zhang hu cha xun" },
	{ "缴费基数", "jiao fei ji shu" },
	{ "缴费年限", "jiao fei nian xian" },
	{ "缴费记录", "jiao fei ji lu" },
	{ "灵活就业", "ling huo jiu ye" },
	{ "灵活就业人员养老保险参保登记", "ling huo jiu ye ren yuan yang lao bao xian can bao deng ji" },
	{ "就业登记", "jiu ye deng ji" },
	{ "就业创业证", "jiu ye chuang ye zheng" },
	{ "创业补贴", "chuang ye bu tie" },
	{ "待遇领取", "dai yu ling qu" },
	{ "养老金领取资格认证", "yang lao jin ling qu zi ge ren zheng" },
	{ "城乡居民", "cheng xiang ju min" },
	{ "城乡居民养老保险参保登记", "cheng xiang ju min yang lao bao xian can bao deng ji" },
	{ "企业职工养老保险", "qi ye zhi gong yang lao bao xian" },
	{ "补缴", "bu jiao" },
	{ "断缴", "duan jiao" },
	{ "工伤保险待遇", "gong shang bao xian dai yu" },
	/* 医保 */
	{ "医保", "yi bao" },
	{ "医保卡", "yi bao ka" },
	{ "医保报销", "yi bao bao xiao" },
	{ "异地就医", "yi di jiu yi" },
	{ "异地就医备案", "yi di jiu yi bei an" },
	{ "医保异地就医备案", "yi bao yi di jiu yi bei an" },
	{ "门诊", "men zhen" },
	{ "住院", "zhu yuan" },
	{ "慢性病", "man xing bing" },
	{ "门诊慢特病待遇认定申请", "men zhen man te bing dai yu ren ding shen qing" },
	{ "大病保险", "da bing bao xian" },
	{ "医疗救助", "yi liao jiu zhu" },
	{ "定点医院", "ding dian yi yuan" },
	{ "定点药店", "ding dian yao dian" },
	{ "费用结算", "fei yong jie suan" },
	{ "医疗费用手工报销申请", "yi liao fei yong shou gong bao xiao shen qing" },
	{ "医保电子凭证", "yi bao dian zi ping zheng" },
	{ "医保个人账户余额查询", "yi bao ge ren zhang hu yu e cha xun" },
	{ "城乡居民医保缴费", "cheng xiang ju min yi bao jiao fei" },
	{ "预约挂号", "yu yue gua hao" },
	{ "医院挂号缴费", "yi yuan gua hao jiao fei" },
	{ "体检", "ti jian" },
	{ "疫苗接种", "yi miao jie zhong" },
	{ "预防接种", "yu fang jie zhong" },
	{ "健康码", "jian kang ma" },
	{ "核酸检测", "he suan jian ce" },
	{ "出生医学证明", "chu sheng yi xue zheng ming" },
	{ "家庭医生签约", "jia ting yi sheng qian yue" },
	/* 公积金 */
	{ "公积金", "gong ji jin" },
	{ "住房公积金", "zhu fang gong ji jin" },
	{ "公积金提取", "gong ji jin ti qu" },
	{ "公积金贷款", "gong ji jin dai kuan" },
	{ "公积金查询", "gong ji jin cha xun" },
	{ "住房公积金贷款还款", "zhu fang gong ji jin dai kuan huan kuan" },
	{ "缴存", "jiao cun" },
	{ "汇缴", "hui jiao" },
	{ "缴存证明", "jiao cun zheng ming" },
	{ "贷款", "dai kuan" },
	{ "提前还贷", "ti qian huan dai" },
	{ "还款记录", "huan kuan ji lu" },
	{ "还款计划", "huan kuan ji hua" },
	{ "租房提取", "zu fang ti qu" },
	{ "销户", "xiao hu" },
	{ "封存", "feng cun" },
	{ "贷款额度", "dai kuan e du" },
	/* 户籍 */
	{ "户籍", "hu ji" },
	{ "户口", "hu kou" },
	{ "户口本", "hu kou ben" },
	{ "户口迁移", "hu kou qian yi" },
	{ "户籍证明", "hu ji zheng ming" },
	{ "落户", "luo hu" },
	{ "新生儿落户", "xin sheng er luo hu" },
	{ "迁入", "qian ru" },
	{ "迁出", "qian chu" },
	{ "身份证", "shen fen zheng" },
	{ "居民身份证", "ju min shen fen zheng" },
	{ "临时身份证", "lin shi shen fen zheng" },
	{ "身份证补领", "shen fen zheng bu ling" },
	{ "居住证", "ju zhu zheng" },
	{ "居住证明", "ju zhu zheng ming" },
	{ "出生登记", "chu sheng deng ji" },
	{ "死亡登记", "si wang deng ji" },
	{ "姓名变更", "xing ming bian geng" },
	{ "更正", "geng zheng" },
	{ "户口注销", "hu kou zhu xiao" },
	{ "集体户", "ji ti hu" },
	{ "无犯罪记录证明", "wu fan zui ji lu zheng ming" },
	{ "亲属关系证明", "qin shu guan xi zheng ming" },
	/* 出入境 */
	{ "出入境", "chu ru jing" },
	{ "护照", "hu zhao" },
	{ "护照办理", "hu zhao ban li" },
	{ "港澳通行证", "gang ao tong xing zheng" },
	{ "往来港澳通行证", "wang lai gang ao tong xing zheng" },
	{ "往来台湾通行证", "wang lai tai wan tong xing zheng" },
	{ "签注", "qian zhu" },
	{ "签证", "qian zheng" },
	{ "出入境证件办理", "chu ru jing zheng jian ban li" },
	{ "外国人", "wai guo ren" },
	{ "居留许可", "ju liu xu ke" },
	{ "港澳台", "gang ao tai" },
	/* 不动产 */
	{ "不动产", "bu dong chan" },
	{ "不动产登记", "bu dong chan deng ji" },
	{ "不动产权证书", "bu dong chan quan zheng shu" },
	{ "不动产登记资料查询", "bu dong chan deng ji zi liao cha xun" },
	{ "房产证", "fang chan zheng" },
	{ "抵押登记", "di ya deng ji" },
	{ "过户", "guo hu" },
	{ "二手房", "er shou fang" },
	{ "二手房交易", "er shou fang jiao yi" },
	{ "商品房", "shang pin fang" },
	{ "预售", "yu shou" },
	{ "宅基地", "zhai ji di" },
	{ "查封", "cha feng" },
	{ "继承", "ji cheng" },
	{ "房屋租赁", "fang wu zu lin" },
	{ "房屋租赁合同备案", "fang wu zu lin he tong bei an" },
	{ "拆迁", "chai qian" },
	{ "征收", "zheng shou" },
	{ "物业", "wu ye" },
	{ "维修资金", "wei xiu zi jin" },
	/* 税务 */
	{ "税务", "shui wu" },
	{ "税务登记", "shui wu deng ji" },
	{ "纳税", "na shui" },
	{ "纳税人", "na shui ren" },
	{ "个人所得税", "ge ren suo de shui" },
	{ "个人所得税汇算", "ge ren suo de shui hui suan" },
	{ "个税", "ge shui" },
	{ "增值税", "zeng zhi shui" },
	{ "增值税发票", "zeng zhi shui fa piao" },
	{ "代开发票", "dai kai fa piao" },
	{ "完税证明", "wan shui zheng ming" },
	{ "退税", "tui shui" },
	{ "汇算清缴", "hui suan qing jiao" },
	{ "专项附加扣除", "zhuan xiang fu jia kou chu" },
	{ "契税", "qi shui" },
	{ "车船税", "che chuan shui" },
	{ "印花税", "yin hua shui" },
	{ "车辆购置税", "che liang gou zhi shui" },
	{ "减免", "jian mian" },
	{ "申报", "shen bao" },
	/* 交通 */
	{ "交通", "jiao tong" },
	{ "驾驶证", "jia shi zheng" },
	{ "驾照", "jia zhao" },
	{ "机动车", "ji dong che" },
	{ "机动车行驶证补领", "ji dong che xing shi zheng bu ling" },
	{ "驾驶证期满换证", "jia shi zheng qi man huan zheng" },
	{ "车辆", "che liang" },
	{ "违章", "wei zhang" },
	{ "交通违法", "jiao tong wei fa" },
	{ "交通违法处理", "jiao tong wei fa chu li" },
	{ "罚款", "fa kuan" },
	{ "年检", "nian jian" },
	{ "车辆年检", "che liang nian jian" },
	{ "换证", "huan zheng" },
	{ "号牌", "hao pai" },
	{ "临时号牌", "lin shi hao pai" },
	{ "过户登记", "guo hu deng ji" },
	{ "扣分", "kou fen" },
	{ "停车", "ting che" },
	{ "公交卡", "gong jiao ka" },
	{ "地铁", "di tie" },
	{ "通行费", "tong xing fei" },
	{ "交通事故", "jiao tong shi gu" },
	{ "理赔", "li pei" },
	{ "电动自行车登记", "dian dong zi xing che deng ji" },
	{ "非机动车", "fei ji dong che" },
	{ "摩托车", "mo tuo che" },
	{ "车管所", "che guan suo" },
	/* 教育 */
	{ "教育", "jiao yu" },
	{ "入学", "ru xue" },
	{ "子女入学", "zi nv ru xue" },
	{ "义务教育入学", "yi wu jiao yu ru xue" },
	{ "学籍", "xue ji" },
	{ "学籍证明", "xue ji zheng ming" },
	{ "学位", "xue wei" },
	{ "学历认证", "xue li ren zheng" },
	{ "毕业证", "bi ye zheng" },
	{ "招生", "zhao sheng" },
	{ "中考", "zhong kao" },
	{ "高考", "gao kao" },
	{ "成绩查询", "cheng ji cha xun" },
	{ "幼儿园", "you er yuan" },
	{ "助学金", "zhu xue jin" },
	{ "助学贷款", "zhu xue dai kuan" },
	{ "奖学金", "jiang xue jin" },
	{ "教师资格证", "jiao shi zi ge zheng" },
	{ "教师资格认定", "jiao shi zi ge ren ding" },
	{ "转学", "zhuan xue" },
	{ "学校", "xue xiao" },
	/* 婚姻、生育 */
	{ "婚姻", "hun yin" },
	{ "婚姻登记", "hun yin deng ji" },
	{ "结婚", "jie hun" },
	{ "结婚登记", "jie hun deng ji" },
	{ "结婚登记预约", "jie hun deng ji yu yue" },
	{ "离婚", "li hun" },
	{ "结婚证", "jie hun zheng" },
	{ "补领结婚证", "bu ling jie hun zheng" },
	{ "婚前检查", "hun qian jian cha" },
	{ "收养登记", "shou yang deng ji" },
	{ "生育", "sheng yu" },
	{ "生育津贴", "sheng yu jin tie" },
	{ "生育津贴申领", "sheng yu jin tie shen ling" },
	{ "生育登记", "sheng yu deng ji" },
	{ "出生证明", "chu sheng zheng ming" },
	{ "产假", "chan jia" },
	{ "独生子女", "du sheng zi nv" },
	{ "母婴保健", "mu ying bao jian" },
	/* 养老、残疾、民政 */
	{ "养老", "yang lao" },
	{ "养老院", "yang lao yuan" },
	{ "居家养老", "ju jia yang lao" },
	{ "高龄津贴", "gao ling jin tie" },
	{ "老年人", "lao nian ren" },
	{ "老年人优待证", "lao nian ren you dai zheng" },
	{ "残疾", "can ji" },
	{ "残疾人", "can ji ren" },
	{ "残疾人证", "can ji ren zheng" },
	{ "残疾等级", "can ji deng ji" },
	{ "残疾人两项补贴", "can ji ren liang xiang bu tie" },
	{ "残疾人服务", "can ji ren fu wu" },
	{ "护理补贴", "hu li bu tie" },
	{ "无障碍", "wu zhang ai" },
	{ "民政", "min zheng" },
	{ "低保", "di bao" },
	{ "最低生活保障", "zui di sheng huo bao zhang" },
	{ "临时救助", "lin shi jiu zhu" },
	{ "特困供养", "te kun gong yang" },
	{ "退役军人", "tui yi jun ren" },
	{ "退役军人优待证", "tui yi jun ren you dai zheng" },
	{ "兵役登记", "bing yi deng ji" },
	{ "殡葬服务", "bin zang fu wu" },
	{ "丧葬补助", "sang zang bu zhu" },
	{ "无偿献血", "wu chang xian xue" },
	{ "志愿者", "zhi yuan zhe" },
	{ "慈善", "ci shan" },
	/* 住房 */
	{ "住房", "zhu fang" },
	{ "保障房", "bao zhang fang" },
	{ "公租房", "gong zu fang" },
	{ "公租房申请", "gong zu fang shen qing" },
	{ "廉租房", "lian zu fang" },
	{ "住房补贴", "zhu fang bu tie" },
	{ "经济适用房", "jing ji shi yong fang" },
	{ "人才公寓", "ren cai gong yu" },
	{ "棚户区改造", "peng hu qu gai zao" },
	/* 营业执照、企业 */
	{ "营业执照", "ying ye zhi zhao" },
	{ "营业执照办理", "ying ye zhi zhao ban li" },
	{ "个体工商户", "ge ti gong shang hu" },
	{ "个体工商户注册", "ge ti gong shang hu zhu ce" },
	{ "企业注册", "qi ye zhu ce" },
	{ "公司注销", "gong si zhu xiao" },
	{ "变更登记", "bian geng deng ji" },
	{ "企业年报", "qi ye nian bao" },
	{ "食品经营许可证", "shi pin jing ying xu ke zheng" },
	{ "商标", "shang biao" },
	{ "专利", "zhuan li" },
	{ "知识产权", "zhi shi chan quan" },
	{ "法定代表人", "fa ding dai biao ren" },
	{ "统一社会信用代码", "tong yi she hui xin yong dai ma" },
	{ "银行账户", "yin hang zhang hu" },
	{ "开户", "kai hu" },
	{ "行政审批", "xing zheng shen pi" },
	{ "行政许可", "xing zheng xu ke" },
	{ "行政复议", "xing zheng fu yi" },
	{ "行政处罚决定书", "xing zheng chu fa jue ding shu" },
	{ "施工许可", "shi gong xu ke" },
	{ "竣工验收", "jun gong yan shou" },
	{ "招标投标", "zhao biao tou biao" },
	{ "政府采购", "zheng fu cai gou" },
	{ "卫生许可证", "wei sheng xu ke zheng" },
	{ "特种设备", "te zhong she bei" },
	{ "医疗器械", "yi liao qi xie" },
	/* 生活缴费 */
	{ "生活缴费", "sheng huo jiao fei" },
	{ "水电燃气", "shui dian ran qi" },
	{ "水费", "shui fei" },
	{ "电费", "dian fei" },
	{ "燃气费", "ran qi fei" },
	{ "暖气费", "nuan qi fei" },
	{ "供暖缴费", "gong nuan jiao fei" },
	{ "话费", "hua fei" },
	{ "宽带", "kuan dai" },
	{ "有线电视", "you xian dian shi" },
	{ "充值", "chong zhi" },
	{ "余额", "yu e" },
	{ "欠费", "qian fei" },
	{ "交通罚款", "jiao tong fa kuan" },
	/* 法律、劳动 */
	{ "法律援助", "fa lv yuan zhu" },
	{ "法律援助申请", "fa lv yuan zhu shen qing" },
	{ "公证", "gong zheng" },
	{ "公证处", "gong zheng chu" },
	{ "公证书", "gong zheng shu" },
	{ "律师", "lv shi" },
	{ "仲裁", "zhong cai" },
	{ "劳动仲裁", "lao dong zhong cai" },
	{ "劳动合同", "lao dong he tong" },
	{ "劳动争议调解", "lao dong zheng yi tiao jie" },
	{ "劳动人事争议调解", "lao dong ren shi zheng yi tiao jie" },
	{ "调解申请", "tiao jie shen qing" },
	{ "工资", "gong zi" },
	{ "欠薪", "qian xin" },
	{ "投诉", "tou su" },
	{ "举报", "ju bao" },
	{ "信访", "xin fang" },
	{ "人事档案", "ren shi dang an" },
	{ "职称", "zhi cheng" },
	{ "职业资格", "zhi ye zi ge" },
	{ "会计从业资格", "kuai ji cong ye zi ge" },
	/* 大厅 */
	{ "政务服务", "zheng wu fu wu" },
	{ "政务服务中心", "zheng wu fu wu zhong xin" },
	{ "朝阳区政务服务中心", "chao yang qu zheng wu fu wu zhong xin" },
	{ "便民服务中心", "bian min fu wu zhong xin" },
	{ "自助终端", "zi zhu zhong duan" },
	{ "一网通办", "yi wang tong ban" },
	{ "办事指南", "ban shi zhi nan" },
	{ "排队取号", "pai dui qu hao" },
	{ "叫号", "jiao hao" },
	{ "开具证明", "kai ju zheng ming" },
	{ "身份验证", "shen fen yan zheng" },
	{ "人脸识别", "ren lian shi bie" },
	{ "扫码", "sao ma" },
	{ "二维码", "er wei ma" },
	{ "打印", "da yin" },
	{ "复印", "fu yin" },
	{ "进度查询", "jin du cha xun" },
	{ "受理", "shou li" },
	{ "补正材料", "bu zheng cai liao" },
	{ "咨询", "zi xun" },
	{ "投诉建议", "tou su jian yi" },
	{ "满意度", "man yi du" },
	{ "营业厅", "ying ye ting" },
	{ "电子证照", "dian zi zheng zhao" },
	{ "派出所", "pai chu suo" },
	{ "民政局", "min zheng ju" },
	{ "税务局", "shui wu ju" },
	{ "市场监管", "shi chang jian guan" },
	{ "自然资源", "zi ran zi yuan" },
	{ "农民工", "nong min gong" },
	{ "土地承包", "tu di cheng bao" },
	{ "旅游", "lv you" },
	{ "绿色通道", "lv se tong dao" },
	{ "海关", "hai guan" },
	{ "外汇", "wai hui" },
	{ "邮政", "you zheng" },
	{ "快递", "kuai di" },
	{ "消防", "xiao fang" },
	{ "应急管理", "ying ji guan li" },
	{ "安全生产", "an quan sheng chan" },
	/* ü */
	{ "女性", "nv xing" },
	{ "妇女", "fu nv" },
	{ "旅客", "lv ke" },
	{ "履行", "lv xing" },
	{ "考虑", "kao lv" },
	{ "策略", "ce lve" },
	{ "虐待", "nve dai" },
	{ "疟疾", "nve ji" },
	{ "居民", "ju min" },
	{ "取消", "qu xiao" },
	{ "需要", "xu yao" },
	/* places */
	{ "北京", "bei jing" },
	{ "上海", "shang hai" },
	{ "重庆市", "chong qing shi" },
	{ "长春市", "chang chun shi" },
	{ "长沙市", "chang sha shi" },
	{ "厦门市", "xia men shi" },
	{ "石家庄", "shi jia zhuang" },
	{ "哈尔滨", "ha er bin" },
	{ "乌鲁木齐", "wu lu mu qi" },
	{ "呼和浩特", "hu he hao te" },
	{ "宁夏", "ning xia" },
	{ "南宁", "nan ning" },
	{ "深圳", "shen zhen" },
	{ "济南", "ji nan" },
	{ "蚌埠", "beng bu" },
	{ "六安", "lu an" },
	{ "亳州", "bo zhou" },
	{ "番禺", "pan yu" },
	{ "丽水", "li shui" },
	{ "台州", "tai zhou" },
	{ "乐清", "yue qing" },
};

Test(pinyin, services)
{
	cr_expect_geq(sizeof services / sizeof services[0], 300);
	CHECK_WORDS(services);
}

Test(pinyin, single_characters)
{
	static const struct {
		uint32_t cp;
		const char *pinyin;
	} one[] = {
		{ 0x4E2D, "zhong" }, /* 中 */
		{ 0x56FD, "guo" },   /* 国 */
		{ 0x4EBA, "ren" },   /* 人 */
		{ 0x884C, "xing" },  /* 行 on its own */
		{ 0x5730, "di" },    /* 地 */
		{ 0x8FD8, "huan" },  /* 还 */
		{ 0x91CD, "zhong" }, /* 重 */
		{ 0x5973, "nv" },    /* 女 */
		{ 0x7EFF, "lv" },    /* 绿 */
		{ 0x7565, "lve" },   /* 略 */
		{ 0x8650, "nve" },   /* 虐 */
		{ 0x4E00, "yi" },    /* 一, the first of the block */
		{ 0x9F99, "long" },  /* 龙 */
		{ 0x9F8D, "long" },  /* 龍 */
		{ 0x9280, "yin" },   /* 銀 */
		{ 0x865F, "hao" },   /* 號 */
		{ 0x3400, "qiu" },   /* 㐀, first of Extension A */
		{ 0x3007, "ling" },  /* 〇, as in 二〇二六 */
		{ 0x2A6A5, "zhe" },  /* 𪚥, Extension B */
	};

	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		unsigned id = pinyin_of(one[i].cp);
		const char *got = pinyin_syllable(id);

		cr_expect(got && strcmp(got, one[i].pinyin) == 0, "U+%04X read %s, want %s",
			  (unsigned)one[i].cp, got ? got : "(none)", one[i].pinyin);
		/* on its own, pinyin_read agrees */
		uint16_t r = 0xFFFF;
		pinyin_read(&one[i].cp, 1, &r);
		cr_expect_eq(r, id, "U+%04X: pinyin_read %u, pinyin_of %u", (unsigned)one[i].cp, r, id);
	}
}

Test(pinyin, no_reading)
{
	static const uint32_t none[] = {
		0, 'A', 'z', '0', '9', ' ', 0x7F, 0xA5, 0x3000 /* ideographic space */,
		0x3002 /* 。 */, 0xFF08 /* （ */, 0x4DC0 /* ䷀, between the blocks */,
		0x5159 /* 兙 */, 0x685B /* 桛 */, 0xA000 /* ꀀ, Yi */, 0xD800, 0xFFFF, 0x10FFFF,
		0x110000, 0xFFFFFFFF, 0x1F600 /* 😀 */,
	};

	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		cr_expect_eq(pinyin_of(none[i]), 0, "U+%04X has a reading", (unsigned)none[i]);
	cr_expect_str_eq(reading("ETC办理"), "_ _ _ ban li");
	cr_expect_str_eq(reading("12345热线"), "_ _ _ _ _ re xian");
	cr_expect_str_eq(reading("3号窗口（社保）"), "_ hao chuang kou _ she bao _");
	cr_expect_str_eq(reading("银行A卡"), "yin hang _ ka");
	cr_expect_str_eq(reading("兙银行"), "_ yin hang");
	/* a phrase never spans a character outside the table */
	cr_expect_str_eq(reading("银😀行"), "yin _ xing");
	cr_expect_str_eq(reading(""), "");
}

Test(pinyin, read_bounds)
{
	/* pinyin_read writes exactly n ids and never looks past n: 银行 cut
	 * after 银 is 银 alone. */
	uint32_t cps[4] = { 0x94F6, 0x884C, 0x5361, 0 }; /* 银行卡 */
	uint16_t ids[4] = { 7, 7, 7, 7 };

	pinyin_read(cps, 1, ids);
	cr_expect_str_eq(pinyin_syllable(ids[0]), "yin");
	cr_expect_eq(ids[1], 7);
	pinyin_read(cps, 0, ids + 1);
	cr_expect_eq(ids[1], 7);
	pinyin_read(cps + 1, 1, ids + 1);
	cr_expect_str_eq(pinyin_syllable(ids[1]), "xing");
	pinyin_read(cps, 3, ids);
	cr_expect_str_eq(pinyin_syllable(ids[1]), "hang");
	cr_expect_eq(ids[3], 7);
}

Test(pinyin, syllable_table)
{
	unsigned n = pinyin_n_syllables();

	cr_assert_geq(n, 400);
	cr_assert_lt(n, 512);
	cr_expect_null(pinyin_syllable(0));
	cr_expect_null(pinyin_syllable(n + 1));
	cr_expect_null(pinyin_syllable(100000));
	for (unsigned id = 1; id <= n; id++) {
		const char *s = pinyin_syllable(id);

		cr_assert_not_null(s, "id %u", id);
		cr_expect(strlen(s) >= 1 && strlen(s) <= 6, "id %u: \"%s\"", id, s);
		cr_expect_eq(strspn(s, "abcdefghijklmnopqrstuvwxyz"), strlen(s), "id %u: \"%s\"", id, s);
		/* ids round-trip: each syllable once, in order */
		if (id > 1)
			cr_expect_gt(strcmp(s, pinyin_syllable(id - 1)), 0, "id %u: \"%s\" after \"%s\"",
				     id, s, pinyin_syllable(id - 1));
		for (unsigned j = 1; j < id; j++)
			cr_assert_str_neq(s, pinyin_syllable(j), "ids %u and %u", j, id);
	}
	/* the ones every search needs are there */
	static const char *must[] = { "a", "e", "o", "er", "zhuang", "shuang", "chuang",
				      "lv", "nv", "lve", "nve", "ju", "qu", "xu", "yu" };
	for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
		bool found = false;

		for (unsigned id = 1; id <= n && !found; id++)
			found = strcmp(pinyin_syllable(id), must[i]) == 0;
		cr_expect(found, "no syllable \"%s\"", must[i]);
	}
	/* no spelling with u-umlaut other than v */
	for (unsigned id = 1; id <= n; id++) {
		const char *s = pinyin_syllable(id);

		cr_expect(strcmp(s, "lue") && strcmp(s, "nue") && strcmp(s, "lu:"), "\"%s\"", s);
	}
}

/* Every id pinyin_of and pinyin_read give names a syllable. */
Test(pinyin, ids_in_range)
{
	unsigned n = pinyin_n_syllables(), covered = 0;

	for (uint32_t cp = 0x3400; cp <= 0x9FFF; cp++) {
		unsigned id = pinyin_of(cp);

		cr_assert_leq(id, n, "U+%04X: id %u", (unsigned)cp, id);
		covered += id != 0;
	}
	for (uint32_t cp = 0x20000; cp <= 0x323AF; cp++)
		cr_assert_leq(pinyin_of(cp), n, "U+%04X", (unsigned)cp);
	/* every character of GB2312's 6,763 and more */
	cr_expect_gt(covered, 20000);
	/* a long run of text, every phrase start */
	static uint32_t cps[0x9FFF - 0x4E00 + 1];
	static uint16_t ids[sizeof cps / sizeof cps[0]];
	size_t m = 0;

	for (uint32_t cp = 0x4E00; cp <= 0x9FFF; cp++)
		cps[m++] = cp;
	pinyin_read(cps, m, ids);
	for (size_t i = 0; i < m; i++)
		cr_assert_leq(ids[i], n);
}

/* Speed: 100,000 characters of service names of 6..15 characters, read
 * name by name; best of 5. The figure in docs/pinyin.md is this test's
 * (build/tests/unit --filter 'pinyin/speed' --verbose); the bound here is
 * loose, for sanitizer builds and loaded machines. */
Test(pinyin, speed)
{
	static uint32_t cps[100000 + 64];
	static uint16_t ids[sizeof cps / sizeof cps[0]];
	static size_t starts[20000];
	size_t total = 0, names = 0, k = 0, nserv = sizeof services / sizeof services[0];

	while (total < 100000) {
		/* a name: words of the table joined until 6..15 characters */
		size_t len = 0;

		starts[names++] = total;
		while (len < 6) {
			uint32_t w[MAXCP];
			size_t n = decode(services[k++ % nserv].hanzi, w);

			if (len + n > 15)
				n = 15 - len;
			memcpy(cps + total + len, w, n * sizeof *w);
			len += n;
		}
		total += len;
	}
	starts[names] = total;
	double best = 1e9;

	for (int run = 0; run < 5; run++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (size_t i = 0; i < names; i++)
			pinyin_read(cps + starts[i], starts[i + 1] - starts[i], ids + starts[i]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;

		if (ms < best)
			best = ms;
	}
	for (size_t i = 0; i < total; i++)
		cr_assert_neq(ids[i], 0, "character %zu", i);
	cr_log_info("pinyin_read: %zu names, %zu characters in %.2f ms (best of 5)", names, total, best);
	cr_expect_lt(best, 250.0, "%.1f ms for %zu characters", best, total);
}
