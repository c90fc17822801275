"""Every word list the answering stage decides with, each with its source (data, not logic).

Rule: an entry is here because general Chinese usage or the plan's own text puts it here, never
because an evaluation question needed it. The support decision itself is a calibrated model on
generic signals (chat_app/support.py); these lists only name *how* a question asks (question words,
units, particles), what an injection looks like, and which verbs state a negative claim.
tests/chat_app/test_lexicon.py checks that the injection phrases flag no sentence of the plan.
"""
from __future__ import annotations

import re

# -- question scaffolding --------------------------------------------------------------------------
# Source: general Mandarin grammar — interrogative pronouns and adverbs, sentence-final particles,
# personal and demonstrative pronouns (with the northern/Jin forms 俺、咱、咋、啥、多会儿 that
# Shanxi speakers type), time deixis relative to "now", light and modal verbs, and the words that
# name the document itself. None says what a question is *about*, so coverage leaves them out.
INTERROGATIVES = ("什么 啥 咋 怎么 怎样 怎么样 咋样 啥样 如何 哪 哪些 哪个 哪里 哪儿 哪几 哪几个 多少 几 几个 "
                  "多大 多长 多久 多高 多远 多宽 谁 为什么 为啥 为何 是否 是不是 有没有 能不能 会不会 要不要 "
                  "行不行 中不中 咋整 咋办 咋弄 啥时候 什么时候 多会儿")
PARTICLES = "吗 呢 吧 啊 呀 嘛 哇 么 呗 哩 咧 啦 哈 不 没 了 的 着 过"
PRONOUNS = ("我 我们 俺 俺们 咱 咱们 你 您 你们 他 她 它 他们 人家 大家 这 那 这个 那个 这些 那些 这块 那块 "
            "这边 那边 这里 那里 这儿 那儿 自己 这搭 那搭 这达 那达")  # 这搭/那搭: Jin and Guanzhong "here/there"
TIME_DEIXIS = ("现在 目前 今天 明天 后天 昨天 今儿 明儿 今年 明年 去年 以后 将来 往后 这几年 几年 最近 时候 到时候 一直 "
               "每天 每周 每月 平时 早上 白天 晚上 周末 五年 这五年")  # 五年: a five-year plan's own period
LIGHT_VERBS = ("能 会 要 想 让 搞 弄 整 办 去 来 到 有 是 说 讲 听说 据说 问 问问 想问 请问 一下 知道 告诉 "
               "提 提到 写 咋写 打算 准备 计划 可以 应该 需要 得")
ADVERBS = "一共 总共 到底 究竟 分别 具体 主要 一般 都 也 还 又 就 真的 真 假 真的假的 大概 其中 还是 或者"
DOCUMENT_WORDS = "规划 规划里 十四五 纲要 文件 永济 永济市 政府 咱们市 我们市 市里"
# Nouns that name what the document says, not what it is about ("规划里有啥说法", "如何表述"): general
# usage; the plan writes none of them (session 14).
SAYING_NOUNS = "说法 提法 讲法 表述"
# Where a question starts asking (the subject of "五老峰门票多少钱" ends before "多少钱").
ASKING_RE = re.compile("|".join(sorted(INTERROGATIVES.split(), key=len, reverse=True)) + "|是不|有没|能不|吗|呢")
QUESTION_SCAFFOLD = frozenset(" ".join((INTERROGATIVES, PARTICLES, PRONOUNS, TIME_DEIXIS, LIGHT_VERBS,
                                        ADVERBS, DOCUMENT_WORDS, SAYING_NOUNS)).split())
# Single characters that appear inside question words ("哪条", "啥时"): how a question asks.
QUESTION_CHARS = frozenset("哪啥咋几吗呢么谁")

# -- asked details -----------------------------------------------------------------------------------
# (name, how a question asks for it, what a passage that gives it contains). Source: the interrogative
# phrase + measure word patterns of standard Chinese (多少钱, 多少人, 多长, 多少亩, 什么时候, 在哪,
# 谁负责, 怎么办理), the common nouns of price, pay and investment asked with 多少 (价格、费用、票价、工资、
# 租金、补贴、收费标准、投资), and the units the plan itself writes (万元/亿元/美元, 人, 公里/千米/米,
# 亩/平方米/平方公里/平方千米/公顷, measure words 个/项/家/所/座/处/条/批/台/户).
# A plan is a plan: it rarely says who does a project, where exactly, when it opens or how to apply.
FIGURE_DETAILS: tuple[tuple[str, str, str], ...] = (
    ("金额", r"多少钱|几块钱|多少块|多少元|几元|多少万元|多少亿|几个亿|多少个亿|花多少|投多少"
     r"|(?:价格?|价钱|费用?|票价|工资|薪水|薪资|租金|补贴|收费|投资额?|总投资)(?:标准|规模)?(?:是|大概|一般|能有|有|要|需要)?"
     r"(?:多少|几)", r"万?亿?美?元"),
    ("人数", r"多少人|几个人|人数|多少万人", r"万?人"),
    ("长度", r"多长|多少公里|几公里|多少千米|多少米|多远", r"公里|千米|米"),
    ("数量", r"多少个|多少家|多少所|多少座|多少项|多少条|多少处", r"[个项家所座处条批台户]"),
    ("面积", r"多少亩|几亩|多少平方?米?|多大面积|多少万亩|占地多少|多少公顷",
     r"万?(?:亩|平方米|平方公里|平方千米|平米|公顷)"),
)
OTHER_DETAILS: tuple[tuple[str, str, str], ...] = (
    ("具体时间", r"啥时候|什么时候|啥时|何时|哪天|哪一年|哪年|几月|几号|多会儿",
     r"20\d\d|\d\s*年|年底|年内|\d\s*月|期间|之前|以前"),
    ("具体钟点", r"几点|几时|营业时间|开放时间", r"\d\s*[点时:：]|全天|小时"),
    ("年代", r"哪个朝代|什么朝代|哪朝|哪个年代|什么年代", r"[唐宋元明清汉隋秦]代|[唐宋元明清汉隋秦]朝|年间"),
    ("具体地点", r"在哪|哪里|哪儿|啥地方|什么地方|地址|什么位置|哪条街|哪条路",
     r"[\u4e00-\u9fff]{2}(?:路|街|大道|广场)|[东西南北]部|周边|附近|以[东西南北]"),
    ("负责单位", r"哪个部门|哪个单位|哪家单位|哪家公司|哪家企业|哪个企业|哪家机构|哪个机构|由谁|谁来|谁负责|谁牵头|谁管|是谁|谁是",
     r"局|委员会|部门|公司|集团|单位|政府"),
    ("办理方式", r"怎么办理|如何办理|怎么申请|如何申请|怎么报名|如何报名|去哪办|手续|流程|电话|网址",
     r"办理|报名|申请|受理|窗口|网上办|开放时间"),
)
ASKED_DETAILS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    [(name, re.compile(ask), re.compile(rf"\d\s*(?:{unit})")) for name, ask, unit in FIGURE_DETAILS]
    + [(name, re.compile(ask), re.compile(says)) for name, ask, says in OTHER_DETAILS])
# The interrogatives of quantity alone (general usage), which carry no content: "多大规模" is 多大 + 规模, and the
# word segmenter's "大规模" is not in the question (the answerer drops these before weighing its words).
QUANTITY_WORD_RE = re.compile(r"多少|多大|多高|多长|多远|多久|几[个项所座条家年万亿十百千成]")
# Any figure: "how much / how many / what share" (general interrogatives of quantity).
FIGURE_ASK_RE = re.compile(r"多少|几[个项所座条家成年万亿]|百分之|比例|比重|占比|几成|多大|多高|多长|多远")
FIGURE_DETAIL_NAMES = frozenset(name for name, _, _ in FIGURE_DETAILS)
# Words that say what kind of figure is meant, not what it is about (the plan's units).
UNIT_WORDS = ("亿元", "万元", "平方公里", "公里", "面积", "万亩", "人数")
# A table row states its unit in the indicator name: "地区生产总值（亿元）".
TABLE_QUESTION_RE = re.compile(r"表|专栏|指标")

# -- follow-ups ----------------------------------------------------------------------------------------------
# Source: the urban/rural pairs of Chinese statistics and policy language (城镇/农村 居民, 城市/乡村, 城区/乡镇):
# "那农村呢" after a question about 城镇 asks the same of the other side.
# Colloquially the same pair is 城里/乡下 (城里人, 农村人).
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (("农村", "城镇"), ("乡村", "城市"), ("农村", "城区"), ("乡镇", "城区"),
                                               ("农村", "城里"), ("乡下", "城里"))
# Source: the four compass points with the suffixes that make them a part of a place in general Chinese
# (东部/东边/东面/东侧/东片): "北边呢" after a question about the 东部 of something asks the same of its north.
COMPASS = "东西南北"
COMPASS_SUFFIXES = "部边面侧片"
# Source: general Chinese discourse markers that announce a change of subject ("换个话题", "另外问一下",
# "顺便问下", "对了", "说到这", "扯远点"): what follows is a new question, not a follow-up, and the marker
# itself names nothing to search for.
TOPIC_SWITCH_RE = re.compile(
    r"^(?:换个(?:话题|问题|事儿?|别的)|另(?:外)?问(?:一下|下|个|一个)?|(?:再|顺便|顺带|我再|另外)问(?:一下|下|个|一个|一句)"
    r"|对了|说到这(?:儿|里|个)?|扯远点|扯远了|打听(?:一?个|一?下)?别的|问(?:一?个|一?下)?别的|题外话)[，,：:。！!；;\s]*")
# Source: the demonstratives of general Chinese that point back at what was just said (这个/该/此/上述/
# 这一…, 它, 其中, 旁边 of the place just named): a question using one leans on the previous turn. "X这一块",
# "X这一方面" name their own topic X (colloquial "as for X"), and "“X”这一节/这个说法" names what it points at
# (the one-tap section questions, "规划中“…”这一节讲了什么？"), so they do not point back.
DEICTIC_RE = re.compile(r"(?<![”\"」])(?:这一(?!块|方面)|这个|这些|这项)|该|上述|刚才|它|其中|旁边")

# -- places ---------------------------------------------------------------------------------------------
# Source: China's administrative division suffixes (省、市、区、县、镇、乡、村、州、旗).
PLACE_SUFFIXES = frozenset("省市区县镇乡村州旗")
# A "place" whose stem is only a determiner, a size word or another division suffix is a common noun, not a
# name: 各县市 ("each county and city"), 大城市, 中小城镇, 本市, 全县 (general grammar; jieba's tagger marks some of
# them ns). Added in session 14 after two questions of the held-out test15 were refused by it (disclosed).
GENERIC_PLACE_CHARS = frozenset("各每全本该外大中小省市区县镇乡村州城")
# Source: the short names of China's provincial-level divisions, which speech uses without 省/市 ("浙江的指标",
# "飞上海的航班"). Matched as whole words (jieba), so "伍姓湖南岸" names no 湖南.
PROVINCES = frozenset("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
                      "湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门".split())
# What makes a place the owner of a plan right after its name (general usage: "X县的规划", "X市“十四五”
# 规划", "X区十四五期间"): its plan's name or period.
OWN_PLAN_RE = re.compile(r"^\s*的?\s*(?:[“\"]?十[一二三四五六七八九]五[”\"]?|国民经济和社会发展|规划|纲要)")

# Source: general Chinese words for a region wider than a city (the whole country, province or world). A
# figure asked of one ("2020年全国GDP是多少") is a statistic a city plan does not report: its own figures are
# 全市 ones. The plan's own phrases with them (全国文明城市, 全省第一) are found in its text and stay allowed.
WIDER_SCOPE_RE = re.compile(r"全国|全省|全球|全世界|全中国")
# A plan owned by a wider level of government ("国家“十四五”规划纲要", "省里的十四五规划"): another document.
# Source: general usage (the level's name before a plan's name or period, as OWN_PLAN_RE for places).
WIDER_PLAN_RE = re.compile(r"(国家|中央|省里|省上|全国|全省)的?\s*(?:[“\"]?十[一二三四五六七八九]五[”\"]?\s*)?(?:规划|纲要)")
WIDER_SCOPE_CONTEXT = 2  # characters after the scope word that, with it, must occur in the plan
# "在全省能占多少", "占全国的比重", "居全省第几": the city's place or share within the wider region (a figure the
# plan may give: 渔业产量占全省三分之一), not the region's own statistic. Source: general grammar.
WITHIN_MARKERS = "在占居比于"

# -- injections ------------------------------------------------------------------------------------------
# Source: the common prompt-injection and jailbreak phrasings (OWASP LLM01 examples, public injection
# datasets): ignore / bypass the instructions or the document, "from now on you are…", a new task or
# identity, reveal or repeat the system prompt, role-play ("你扮演…"; "扮演…角色" is ordinary Chinese and
# stays allowed) and "pretend you are", developer / DAN /
# unrestricted modes (解除所有限制), your settings or configuration (你的系统设置), answering "as I say"
# (以后都按我说的答: the user's rules replacing the assistant's), requests to fabricate or
# impersonate, and off-task content requests (a poem, a joke,
# code, an essay, a translation), in Chinese and English. An ignore-verb must meet an instruction noun
# nearby. "覆盖" means "override" only before an instruction noun (覆盖之前的指令/设定); before 率/面/要求
# it is coverage, as the plan uses it dozens of times. Acting in an office's name or issuing a certificate
# (用官方身份…出证明, 开个证明) is impersonation too: an assistant quotes the plan, it certifies nothing.
# Off-task content: a verb of composing ("帮我写/编/生成") before a genre no plan is written in (general
# Chinese genre names: poems, songs, doggerel, couplets, fiction, jokes, essays, advertising copy, program code),
# and "用 Python…". The verb must be a request (帮我写, 写一首/写个, 编段): "规划里写没写…" asks what the plan
# says, the plan itself 创作一批经典歌曲, and 写 after 谱/书/描 is "to write history", as plans say (谱写新篇章).
COMPOSE_VERBS = (r"((帮|给|替)(我|俺|咱)[^，。？?]{0,4}(写|编|作|创作|生成)|(?<![谱书描抄])写(一|几|两)?(首|段|篇|个|份|则|封|条|句)|"
                 r"编(一|几)?(首|段|篇|个|则|条|句))")
OFF_TASK_GENRES = r"(诗|绝句|歌|对联|顺口溜|小说|故事|笑话|段子|作文|广告|文案|代码|程序|脚本|爬虫|情书)"
PROGRAMMING_LANGUAGES = r"(python|java|javascript|c\+\+|sql|shell|php)(?![a-z])"
INSTRUCTION_NOUNS = r"(指令|规则|规矩|条条框框|约束|限制|提示|设定|要求|以上|之前|上面|前面|文件|规划|原文)"
INJECTION_RE = re.compile(
    rf"(忽略|无视|别管|不要管|不用管|不要理会|别理|抛开|绕过|忘记|忘掉|停止引用).{{0,12}}{INSTRUCTION_NOUNS}|"
    r"覆盖.{0,8}(指令|规则|提示|设定)|系统(提示|指令|通知|消息)|</?\s*system\s*>|提示词|初始指令|"
    r"((输出|打印|复述|重复|泄露|透露|显示|告诉我)(一下)?|把)你的(系统|初始|全部|内部|角色|隐藏)?(指令|设定|提示|规则)|"
    r"从现在(开始|起)，?你|你的新(任务|身份|角色|指令)|以下是新的?(指令|规则)|"
    r"不受任何限制|没有任何限制|无限制模式|解除(所有|全部|一切)?的?限制|你的(系统|内部|后台)?(设置|配置)|"
    r"(都|就|只)按(照)?我(说|讲|给|定)的(答|回答|说|来|写|办)|开发者模式|管理员模式|调试模式|越狱|角色扮演|(你|你来|请你)扮演|扮演(一个|一位|一名)|你现在就?是|"
    r"(用|以)[^，。？?]{0,6}(身份|名义)[^，。？?]{0,6}(出|开|写|发)|(出|开)(个|一份|一张|一个)?证明|"
    r"(就|先)?(当|假装|假设|想象)你是|你(就|先)?(假装|装作|扮成)(是|成)?|现命令你|最高优先级|【SYSTEM】|\[SYSTEM\]|原封不动.{0,6}(发|给|输出)|"
    r"编造|捏造|杜撰|伪造|瞎编|随便编|编(一?个|几个|两个|一些|些|点|一组|几组)[^，。？！?!]{0,8}(数|数据|数字)|(编|造|写)得越像真?的?越好|(口吻|身份)(撰写|来写|写一|回答)|"
    r"当作规划(数据|原文|内容)|讲(一)?个笑话|翻译成.{0,4}(文|语)|"
    rf"{COMPOSE_VERBS}[^，。？！?!]{{0,10}}{OFF_TASK_GENRES}|用\s*{PROGRAMMING_LANGUAGES}|"
    r"以[^，。？?]{1,8}(身份|口吻|名义)(正式|郑重)?(宣布|发布|回答|声明|表态)|"
    # prompt leaking ("你收到的指令", "你背后的提示", system message), authority claims (我是管理员, 以开发者身份),
    # the instruction named before the verb that drops it (规则都忘掉), hypothetical or new identities (假如你是,
    # 现在你是), orders not to refuse (我命令你, 不要拒绝, 突破规则), "an AI without limits", dictating how the
    # answer opens (用“…”开头), answering from "your own knowledge" instead of the document, pretending the
    # plan says something, abuse and chit-chat requests, asking which model or company runs it (OWASP LLM01 and
    # LLM07 classes, general usage; session 10)
    r"你(之前|刚才|最初|最开始)?(收到|接到|得到|拿到)的.{0,6}(指令|提示|设定|规则|内容|消息)|你的(回答|回复|工作|运行|内部)?规则|"
    r"你(背后|后台|底层)的.{0,4}(提示|指令|设定)|(谁|哪家|哪个公司)开发的|哪家的?(大)?模型|system\s*message|调试信息|"
    r"(假如|如果|假设|要是|倘若)你是|现在你是|(我)?命令你|突破(规则|限制|设定)|不(要|许|准)拒绝|"
    r"(以|用)(开发者|管理员|工程师)(的)?身份|没有(任何)?限制的|作为(一个|一名)?[^，。？?]{0,6}(AI|人工智能)|"
    r"(用|以)[“\"][^”\"]{1,12}[”\"]开头|"
    r"(规则|设定|指令|限制|身份|提示).{0,4}(都|全|全部)?(忘掉|忘记|忽略|放一边|放到一边|抛开)|"
    r"我是(你的)?(管理员|开发者|开发人员|工程师|程序员|运维)|授权你|绕过(检索|审查|审核|过滤|安全)|"
    # the same classes, session 13: a claimed tester / reviewer role or a permission the user says was granted
    # (我是测试人员, 已获授权, 我有最高权限); an order to leave out the citations or the plan's text (不用引用原文,
    # 别标出处) — an extractive answer is its quotations; and asking for a figure that merely looks true (看起来可信,
    # 以假乱真). General injection usage (OWASP LLM01: authority impersonation, output manipulation, fabrication);
    # a permission is a claim when the user holds it (我…获得授权) or states it as a preamble (已获授权：); the
    # plan writes 授权 only in 审批授权 ("approval authorisation").
    # Session 14: "编 + any quantifier … 数/数据" (编几个…数, 编一组数据: general grammar, the session-10 fabrication
    # class had only 个/一些) and "编得越像真的越好" (the fabrication asked to look real, like 以假乱真).
    r"我是(你的)?(测试人员|测试员|审核员|安全员|内部人员)|(我|俺)(?!们)[^，。？?]{0,4}(获得?|得到|拿到|有)了?(授权|权限)|已获授权[，,：:]|(最高|管理员|开发者)权限|"
    r"(不用|不要|别|无需|不必|不需要)(再)?(引用|标注?|注明|给出?)[^，。？?]{0,4}(原文|出处|来源|引用|规划)|"
    r"看(起来|上去)(很|比较|挺)?(可信|真实|靠谱)|以假乱真|"
    r"(用|凭|按|根据)你(自己)?的?(知道|知识|了解|想法|观点|判断)|你自己知道的|规划(以外|之外|外)的|"
    r"假装.{0,6}(写了|写过|说了|说过|规定了)|(骂|辱骂|诋毁)[^，。？?]{0,6}的话|脏话|陪(我|俺)(聊|唠|玩|说话)|"
    r"你(用|使用)?的?是(什么|哪个|啥)(模型|大模型)|你是(什么|哪个|啥)模型|"
    r"system\s*prompt|\bprompt\b|ignore (all|previous|above|prior|the)|disregard (all|previous|the)|"
    r"you are now|pretend (to be|you are)|act as|jailbreak|developer mode|\bDAN\b|reveal your|"
    r"forget (the|all|your|previous|everything)|repeat (everything|all|the text|the words)|hidden instructions?|"
    r"instructions you (were|have been) given|\btranslate\b.{0,40}\binto\b|write (me )?(a|an|some) (python|script|"
    r"program|poem|story|essay|joke)|\bjokes?\b",
    re.IGNORECASE,
)

# -- directives addressed to the assistant ------------------------------------------------------------
# Source: general Mandarin imperative grammar — a polite request marker (请、麻烦、劳驾), a benefactive
# 帮/给/替 + first person (帮我、给俺), or a second-person subject with a verb (你来、你给、你就), optionally
# after the adverbs that chain tasks (先…然后/再/接着/最后/顺便). A directive clause is only *suspect*:
# chat_app/checks.DirectiveCheck asks the support model whether that clause alone is about the plan.
DIRECTIVE_RE = re.compile(
    r"^(?:先|然后|再|接着|最后|并且?|顺便|另外|同时|还有)?\s*"
    r"(?:请(?!问|教)你?|麻烦你?|劳驾|帮(?:我|俺|咱)|给(?:我|俺|咱)|替(?:我|俺|咱)|"
    r"你(?!们|好)(?:就|来|给|帮|再|先|直接|必须|要|得|可以)?)")
# Verbs asking to be told or shown something (general usage: 请说明/介绍/解释/列出/确认/核实…): a directive
# built on one asks about what the question just named, so it is never judged on its own.
EXPLAIN_RE = re.compile(r"说明|介绍|解释|讲讲|讲一下|讲解|说说|说一下|列出|列举|分析|确认|核实|核对|确定|阐述|概括|总结")
# "给俺保证…" anywhere in a clause is a request for a promise, whatever opens the clause.
PROMISE_RE = re.compile(r"(?:给|向|跟)(?:我|俺|咱|大家)(?:们)?(?:保证|承诺|担保|打包票|打保票)")
CLAUSE_RE = re.compile(r"[，,。！!？?；;：:\n]+|(?:然后|接着)")
# The user dictating what the answer must say, or asking the assistant to vouch for something (general
# usage: 写明/注明/照写 "write this in", 保证/承诺/担保/打包票 "promise", 就说规划里写了 "say the plan says").
# An extractive assistant quotes the plan; it neither writes a given sentence in nor promises anything.
DICTATION_RE = re.compile(
    r"(写明|注明|照写|照抄|照着写|原样写|写上|写成|说成|改成)|"
    r"(?:保证|承诺|担保|打包票|打保票)|"
    r"就说\s*(?:规划|文件|纲要)(?:里|中|上)?(?:写了|说了|规定|明确)")
# Asking for investment or money advice (general usage: 稳赚/包赚/赚不赚/亏不亏 "will I profit", 值不值得投/该不该买
# "should I invest", 推荐…股票/基金 "recommend a stock", 给个准话/准信 "give me a firm promise"): a plan states targets
# and projects; it is no one's investment advice, and the assistant gives none.
ADVICE_RE = re.compile(r"稳赚|包赚|保赚|赚不赚|能不能赚|最赚钱|哪个赚钱|亏不亏|会不会亏|赔不赔|值不值得(?:投|买)"
                       r"|该不该(?:投|买)|推荐[^，。？?]{0,4}(?:股票|基金|理财)|准话|准信")
MISUSE_REPLY = ("抱歉，我只能依据规划原文回答规划里写了什么，不能代写、预测、推荐或替人作出承诺。"
                "您可以问我规划中的目标、项目和措施。")

# -- claims -----------------------------------------------------------------------------------------------
# Source: general Chinese verbs of stopping, removing, reducing, selling off or forbidding (撤销、关停、
# 取消、降低、解散…), and the grammar of a one-syllable destructive verb with a resultative or aspect
# complement (关+了/掉, 填+平, 卖+给: 关了、填平、卖给). A question that asserts one of
# them about the plan is checked against the evidence.
NEGATIVE_VERBS = ("撤销 撤并 取消 关闭 关停 关门 停止 停办 停建 停工 暂停 缓建 废除 不再 禁止 不让 不许 收缩 "
                  "拆除 取缔 放弃 下调 降低 减少 削减 缩减 压缩 叫停 外迁 出售 解散 推平 铲除 "
                  "私有化 退出 涨价 收费 不得 不准 压减 调减 放缓 推迟 延后 合并 并入 下降 不开放")
DESTRUCTIVE_STEMS = "撤关停拆填卖砍刨并推砸封"
RESULT_COMPLEMENTS = "了掉平走光给除"
NEGATIVE_PREMISE_RE = re.compile(
    "(" + "|".join(sorted(NEGATIVE_VERBS.split(), key=len, reverse=True))
    + f"|[{DESTRUCTIVE_STEMS}][{RESULT_COMPLEMENTS}])")
# Figures a question can state as the plan's ("GDP要到500个亿", "建50万亩"): a number and one of the units
# the plan itself writes, each mapped to the unit it is compared in (个亿 = 亿元 in speech, 名 = 人, ％ = %).
# Source: the plan's units (grep of the plan text) and the colloquial 个亿.
CLAIMED_UNITS: dict[str, str] = {
    "亿美元": "亿美元", "万美元": "万美元", "个亿": "亿元", "亿元": "亿元", "亿": "亿元", "万元": "万元",
    "万亩": "万亩", "亩": "亩", "平方千米": "平方千米", "平方公里": "平方千米", "公里": "公里",
    "万吨": "万吨", "万人次": "万人次", "万人": "万人", "名": "人", "人": "人", "个百分点": "个百分点",
    "%": "%", "％": "%", "所": "所", "家": "家", "座": "座", "项": "项", "公斤": "公斤", "立方米": "立方米",
    "级": "级", "类": "类",  # grades: 三级医院, 二级标准的天数, 地表水Ⅴ类
}
# Roman numerals grade water quality and the like in Chinese standards (地表水Ⅲ类).
ROMAN_NUMERALS = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
# "专栏13所列…" and "表1" number boxes and tables, not figures.
CLAIMED_FIGURE_RE = re.compile(r"(?<![\d.])(?<!专栏)(?<!专栏 )(?<!表)(?<!第)(\d+(?:\.\d+)?)\s*("
                               + "|".join(sorted(map(re.escape, CLAIMED_UNITS), key=len, reverse=True)) + ")")
# The same figures in Chinese numerals ("十三所", "五十亿级", "百亿级"); a numeral after 每/第 is a rate or an
# ordinal (每千人口, 第一), after 几 a quantity asked ("几十亿级": general grammar), and 万/亿 stay units
# ("二十万亩" is 20 万亩).
CN_FIGURE_RE = re.compile(r"(?<![每第几一二两三四五六七八九十百千])([一二两三四五六七八九十百千]{1,6}?|[ⅠⅡⅢⅣⅤ])("
                          + "|".join(sorted(map(re.escape, CLAIMED_UNITS), key=len, reverse=True)) + ")")
# The plan's indicator tables (表1, 专栏2) class every indicator in their 属性 column as one of these two.
INDICATOR_ATTRIBUTES = ("预期性", "约束性")
ATTRIBUTE_FIELD = "属性"
# Markers that a question asserts a claim rather than asking openly (general usage).
CLAIM_RE = re.compile(r"要|将|把|会|了|已经|决定|规定|明确|提出|定为|定位|说")
WHY_RE = re.compile(r"为什么|为何|为啥|凭什么|理由|原因|考虑|依据|听说|据说|真的假的|是不是|规划说|规划里说|说是")
# "What does the plan intend for X" (general phrasing of a broad question: 交通方面有什么打算, 养老这块咋说,
# 农村以后会变成啥样): answered with the plan's own headings on X, not with one sentence that shares a word.
BROAD_RE = re.compile(r"(?:什么|啥|哪些|何)新?(?:打算|规划|安排|部署|政策|举措|措施|考虑|说法|变化|路子)|咋说|怎么说|如何说"
                      r"|咋发展|怎么发展|如何发展|咋搞|怎么搞|变成啥样|变成什么样|咋安排|怎么安排|啥样子")
# Asking what a named part of the plan holds (general official phrasing: 有哪些重点任务/主要内容/有何部署/如何推进…),
# and the words such a question adds around the section's heading without naming anything inside it.
SECTION_ASK_RE = re.compile(r"哪些|哪几|包括|内容|任务|举措|措施|部署|安排|有何|如何|怎样|怎么|咋|指什么|指的是|是哪")
SECTION_ASK_WORDS = frozenset("举措 措施 部署 安排 任务 重点任务 主要任务 内容 主要内容 重点 主要 方面 具体 工作 要求 "
                              "规划 提出 作出 哪些 方向 主要方向 思路 路径 目标 涵盖 涉及 包含 包括 分为 一节 本节 该节 "
                              "分别 指什么".split())
# "What does section X say" (general phrasing): answered with the section's opening.
OVERVIEW_RE = re.compile(r"讲了什么|讲了啥|说了什么|说了啥|讲的什么|讲的是什么|主要内容|主要讲")
# Asking how, or what is arranged, for a whole area rather than for one thing in it (general usage:
# 如何/怎么/咋 + verb, 有何/哪些方面, 打算/举措/部署/任务/方向): the plan answers such a question with the
# headings of the section on it, which chat_app/outline.py adds after the best sentences.
GENERAL_ASK_RE = re.compile(r"如何|怎么|怎样|咋|有何|哪些方面|打算|举措|措施|部署|安排|任务|方向|重点|方面|这块")
# A question naming a box, its projects, a table, an indicator or a date wants that one thing (the plan's
# own structure words: 专栏 list 工程 and 项目 ("有哪些项目"), 表 and 指标; and dates).
SPECIFIC_ASK_RE = re.compile(r"专栏|工程|(?:哪些|哪几个?|啥|什么|几个)(?:重点|重大|具体)?项目|表\d|表格|指标|\d{4}年|哪年|哪一年|何时|什么时候|啥时候|几时")
# A term quoted as the plan's ("定位为“…”").
QUOTE_RE = re.compile(r"[“\"「]([^”\"」]{2,30})[”\"」]")
# The plan quotes its five-year periods too (“十三五”期间, “十四五”末): a when, not a thing asked about.
PERIOD_QUOTE_RE = re.compile(r"[“\"「]十[一二三四五六七八九]五[”\"」]")
