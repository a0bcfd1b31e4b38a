#!/usr/bin/env python3
"""zh_tw_gen.py: makes gateway/zh_tw_table.c, the gateway's zh-TW texts.

    python3 gateway/zh_tw_gen.py           rewrite gateway/zh_tw_table.c
    python3 gateway/zh_tw_gen.py --check   exit 1 if it is out of date

gatewayd serves Traditional Chinese (Accept-Language: zh-TW, zh-HK, zh-Hant)
without a run-time converter: every zh-CN string literal of the gateway
sources below (demo catalog, form labels and options, problem titles and
details, validation messages) is converted once, here, with the OpenCC
command-line tool (Debian package opencc, `opencc -c s2twp`: Simplified to
Traditional with Taiwan phrasing), then put through REVIEW, the hand-made
corrections, and written out as a table of {zh-CN, zh-TW} pairs sorted for
bsearch. zh_tw() (http.c) looks a zh-CN text up in it; the demo loader
(db.c) fills the *_tw columns with it, and MSG()/problem.c use it per request.

After changing a zh-CN text in gateway/, run this script again (a text that
is missing from the table is served in zh-CN, and `gatewayd --demo` says how
many there are). Texts that are not translated: the demo citizens' names
(names are names) and the simulator's fake captive-portal page.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zh_tw_table.c")
SOURCES = ["demo_data.c", "db.c", "problem.c", "auth.c", "sim.c", "apps.c", "licenses.c", "hall.c"]

# Reviewed corrections to OpenCC's output, applied in order to every text.
# Conventions (the same as locale/zh_TW.po): 登入/登出; QR Code; 網路; 資訊;
# 列印; 預設; 「」 for quotes; a service hall's 窗口 stays 窗口 (OpenCC makes
# it 視窗, a computer window); 社保, 醫保, 公積金, 低保 and other names of
# mainland schemes and agencies stay as they are.
REVIEW = [
    # OpenCC's computer vocabulary where the service hall means something else.
    ("視窗", "窗口"),          # a counter window
    ("登出", "註銷"),          # 注销: deregistering a company (before 退出登入 below)
    ("使用者", "用戶"),        # 用户: utility customers
    ("型別", "類型"),          # 类型
    ("稽核", "審核"),          # 审核
    ("宣告", "聲明"),          # 声明: 遺失聲明, 單身聲明
    ("釋出", "發布"),          # 发布
    ("專案", "項目"),          # 项目: 經營項目, a housing project
    ("裝置", "設備"),          # 设备: equipment
    ("低保物件", "低保對象"),  # 对象: people (JSON 物件 stays)
    ("評價物件", "評價對象"),  # 评价对象: what is rated
    ("執行狀態", "運行狀態"),  # 运行状态 of a kiosk: its health, not a process
    ("下劃線", "底線"),        # 下划线, an underscore
    ("字首", "前綴"),          # 前缀
    ("高階工", "高級工"),      # 高级工, a skill level
    # Wrong characters from one-to-many mappings and segmentation.
    ("換髮", "換發"), ("髮卡", "發卡"),
    ("出籤", "出簽"), ("網籤", "網簽"),
    ("制卡", "製卡"), ("制證", "製證"), ("刻制", "刻製"),
    ("工作日核心發", "工作日內核發"),   # 内核 read as "kernel"
    ("金髮放", "金發放"),              # 养老金发放: 金髮 is golden hair
    ("月衝", "月沖"),                  # 月冲: a monthly offset of a loan
    ("廣告設定", "廣告設置"),          # 设置: putting up a sign, not a setting
    ("繫結", "綁定"),                  # 绑定 an account: OpenCC's programming term
    ("審核透過", "審核通過"),          # 审核通过: passed review (透過 is "by way of")
    ("補籤", "補簽"),                  # 补签: signing what was left unsigned
    ("覆印件", "影印件"),              # 复印件 after 证明 (OpenCC segments 明复)
    # Quotes.
    ("“", "「"), ("”", "」"), ("‘", "『"), ("’", "』"),
    # QR codes: "QR Code" throughout (spaced from Han characters below).
    ("二維碼", "QR Code"),
    # Logins.
    ("退出登入", "登出"),
    # Taiwan wording.
    ("演示", "示範"),
    ("示例", "範例"),
    ("獲取", "取得"),
    ("程式碼", "代碼"),
    ("當前", "目前"),
    ("賬", "帳"),
    ("燃氣", "瓦斯"),
    ("關鍵詞", "關鍵字"),
    ("個人資訊", "個人資料"),
    ("所填資訊", "所填資料"),
    ("自助終端", "自助機"),
    ("服務事項", "服務項目"),
    ("事項不存在", "服務項目不存在"),
    ("本事項", "本項目"),
    ("已下線", "已下架"),
    ("生成", "產生"),
]

CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def literals(path):
    """The string literals of a C file (adjacent ones joined), as
    (source text without the quotes, first line)."""
    src = open(path, encoding="utf-8").read()
    out = []
    i, n, line = 0, len(src), 1
    pending = None  # [text, line] of a literal that may be continued
    while i < n:
        c = src[i]
        if src.startswith("/*", i):
            j = src.index("*/", i + 2) + 2
            line += src.count("\n", i, j)
            i = j
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "'":
            j = i + 1
            while src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            if pending:
                out.append(tuple(pending))
                pending = None
            continue
        if c == '"':
            j = i + 1
            while src[j] != '"':
                if src[j] == "\n":
                    raise SystemExit(f"{path}:{line}: unterminated string")
                j += 2 if src[j] == "\\" else 1
            text = src[i + 1:j]
            if pending:
                pending[0] += text
            else:
                pending = [text, line]
            i = j + 1
            continue
        if c == "\n":
            line += 1
        if not c.isspace() and pending:
            out.append(tuple(pending))
            pending = None
        i += 1
    if pending:
        out.append(tuple(pending))
    return out


def skipped(path, text, line, citizen_lines):
    if "<html" in text:                    # sim.c's fake captive portal
        return True
    return path.endswith("demo_data.c") and citizen_lines[0] <= line <= citizen_lines[1]


def citizen_block(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for k, s in enumerate(lines):
        if s.startswith("const struct demo_citizen demo_citizens[]"):
            for m in range(k, len(lines)):
                if lines[m].startswith("};"):
                    return (k + 1, m + 1)
    raise SystemExit(f"{path}: demo_citizens[] not found")


def decode(lit):
    """The bytes a C literal (without quotes) stands for; enough for ours."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = lit[i + 1]
        if e in 'n"\\\'t':
            out += {"n": b"\n", '"': b'"', "\\": b"\\", "'": b"'", "t": b"\t"}[e]
            i += 2
        elif e == "x":
            m = re.match(r"[0-9a-fA-F]+", lit[i + 2:])
            out.append(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        else:
            raise SystemExit(f"unexpected escape \\{e} in {lit!r}")
    return bytes(out)


def collect():
    texts = {}
    for name in SOURCES:
        path = os.path.join(HERE, name)
        cit = citizen_block(path) if name == "demo_data.c" else (0, -1)
        for text, line in literals(path):
            if CJK.search(text) and not skipped(path, text, line, cit):
                texts.setdefault(text, f"{name}:{line}")
    return texts


def convert(texts):
    """OpenCC s2twp on the source texts (one a line; escapes are ASCII and
    pass through), then REVIEW."""
    keys = sorted(texts)
    for k in keys:
        if "\n" in k:
            raise SystemExit(f"raw newline in {k!r}")
    r = subprocess.run(["opencc", "-c", "s2twp"], input="\n".join(keys) + "\n",
                       capture_output=True, text=True, check=True)
    tw = r.stdout.split("\n")[:len(keys)]
    if len(tw) != len(keys):
        raise SystemExit("opencc: unexpected output")
    out = {}
    for k, t in zip(keys, tw):
        for a, b in REVIEW:
            t = t.replace(a, b)
        t = re.sub(r"(?<=[\u3400-\u9fff])QR Code", " QR Code", t)
        t = re.sub(r"QR Code(?=[\u3400-\u9fff])", "QR Code ", t)
        out[k] = t
    return out


def render(pairs):
    rows = sorted(pairs.items(), key=lambda kv: decode(kv[0]))
    lines = [
        "/* zh_tw_table.c: GENERATED by gateway/zh_tw_gen.py; do not edit by hand.",
        " *",
        " * The gateway's zh-CN texts (demo catalog, forms, problems, messages) and",
        " * their Traditional Chinese (Taiwan) forms: OpenCC `opencc -c s2twp`, then",
        " * the reviewed corrections in zh_tw_gen.py. Sorted by the zh-CN bytes, for",
        " * zh_tw() in http.c. After changing a zh-CN text, run the script again.",
        " */",
        '#include "gw.h"',
        "",
        "const struct zh_tw_pair zh_tw_pairs[] = {",
    ]
    for cn, tw in rows:
        lines.append(f'\t{{ "{cn}",\n\t  "{tw}" }},')
    lines += [
        "};",
        "const size_t zh_tw_n = sizeof zh_tw_pairs / sizeof zh_tw_pairs[0];",
        "",
    ]
    return "\n".join(lines)


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        raise SystemExit(__doc__)
    text = render(convert(collect()))
    old = open(OUT, encoding="utf-8").read() if os.path.exists(OUT) else ""
    if check:
        if old != text:
            print(f"{OUT} is out of date: run python3 {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    if old != text:
        with open(OUT, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"{OUT}: {text.count(chr(10) + chr(9) + '{ ')} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
