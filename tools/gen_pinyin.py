#!/usr/bin/env python3
"""gen_pinyin.py: generate kiosk/core/pinyin_data.c, the hanzi -> pinyin
tables of include/pinyin.h (standard library only).

    python3 tools/gen_pinyin.py -o kiosk/core/pinyin_data.c     (make pinyin)
    python3 tools/gen_pinyin.py --stats -o /dev/null            (numbers only)

Inputs (Debian packages unicode-data and rime-data-pinyin-simp, and ours):
  Unihan_Readings.txt.bz2   kMandarin: a code point's usual reading (the
                            first value); tones stripped, u-umlaut -> v.
  Unihan_Variants.txt.bz2   kTraditionalVariant: which traditional
                            characters stand for a simplified one.
  pinyin_simp.dict.yaml     rime's phrases with readings and weights; a
                            phrase read several ways keeps its heaviest.
  data/pinyin_override.txt  our corrections: `word pin yin` per line; one
                            character changes that character's reading, a
                            phrase replaces (or adds) the phrase.

Which phrases are kept. pinyin_read() reads by forward maximum matching:
at each position the longest phrase that starts there decides. Phrases
whose reading differs from their characters' own readings are what we are
after (yin hang, chong qing), but a phrase that reads exactly as its
characters must often stay too, to stop a wrong match inside it: without
个人 (ge ren), 个人参保 would match 人参 (ren shen). So the kept set is the
differing phrases (and every override), plus, repeated until nothing
changes, each phrase that a kept phrase could start inside of or continue
from (some kept phrase starts at its 2nd..last character, or is a proper
prefix of it). Matching against the kept set then reads every text exactly
as matching against the whole dictionary would; the phrases that can never
make a difference are dropped.

Traditional text. The phrases are stored in simplified form; a fold table
maps a traditional character to the simplified one it stands for (the
inverse of kTraditionalVariant), and pinyin_read matches phrases on the
folded text. That reads 銀行, 行駛證, 長期 as the stored 银行, 行驶证,
长期, as a traditional copy of every phrase would, for a fraction of the
size; and since folding goes from traditional to simplified, a simplified
character with several traditional forms is no obstacle (復 and 複 both
fold to 复: 重複 is chong fu), where making traditional copies of phrases
would have to guess between them. A traditional character is not folded if
it is itself used in simplified phrases (乾, 著, 藉), nor if it stands for
several simplified characters that phrases use equally often; when it
stands for several, it folds to the one phrases use most (餘 to 余).

Output layout (see kiosk/core/pinyin.c, which reads it):
  pinyin_syl[n+1][8]   syllables, sorted, id = index (0 = "")
  pinyin_dense[]       U+3400..U+9FFF, one uint16 each: bits 0-8 syllable,
                       bit 9/10/11 a phrase of 2/3/4 characters starts with
                       it, bit 12 one of 5..8 does, bit 13 it folds
  pinyin_sparse[]      the other code points with a reading, sorted,
                       (cp << 9) | syllable
  pinyin_fold[]        sorted, (traditional << 16) | simplified
  pinyin_same[L]       phrases of L characters that read as their
                       characters, sorted, L uint16 each (NULL if none;
                       pinyin_n_same[L] rows)
  pinyin_diff[L]       the others, sorted, L characters then L syllables
  pinyin_same_idx[L],  for each 16 code points from U+3400 on, the first row
  pinyin_diff_idx[L]   whose first character is there or after (so a lookup
                       searches a few rows, not the whole table)
Phrase characters are all in the BMP, first characters in U+3400..U+9FFF
(the generator refuses anything else).
"""

import argparse
import bz2
import collections
import hashlib
import io
import os
import sys
import unicodedata

DEF_READINGS = "/usr/share/unicode/Unihan_Readings.txt.bz2"
DEF_VARIANTS = "/usr/share/unicode/Unihan_Variants.txt.bz2"
DEF_RIME = "/usr/share/rime-data/pinyin_simp.dict.yaml"
DEF_OVERRIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "data", "pinyin_override.txt")

DENSE_LO, DENSE_HI = 0x3400, 0x9FFF
MAX_PHRASE = 8
SYL_BITS = 9
BUCKET_BITS = 4
F_L2, F_L3, F_L4, F_L5P, F_FOLD = 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13


def die(msg):
    sys.exit("gen_pinyin: " + msg)


def toneless(s, where):
    """'lǜ' -> 'lv', 'Zhōng' -> 'zhong'; refuses anything else."""
    d = unicodedata.normalize("NFD", s.strip().lower())
    out = []
    for ch in d:
        if "a" <= ch <= "z":
            out.append(ch)
        elif ch == "\u0308":  # diaeresis: u -> v
            if not out or out[-1] != "u":
                die("%s: stray diaeresis in %r" % (where, s))
            out[-1] = "v"
        elif ch in "\u0300\u0301\u0304\u030c\u0302":  # tones (and e-circumflex)
            continue
        else:
            die("%s: unexpected %r in reading %r" % (where, ch, s))
    if not out:
        die("%s: empty reading %r" % (where, s))
    return "".join(out)


def rime_syllable(s, where):
    s = toneless(s, where)
    # rime writes lüe/nüe as lue/nue (there is no other lue); Unihan lve/nve.
    if s in ("lue", "nue"):
        s = s[0] + "ve"
    return s


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_unihan(path, field):
    out = {}
    meta = ""
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("# Unicode version:"):
                meta = line.split(":", 1)[1].strip()
            if not line.startswith("U+"):
                continue
            cp, fld, val = line.rstrip("\n").split("\t", 2)
            if fld == field:
                out[int(cp[2:], 16)] = val.split()
    return out, meta


def read_rime(path):
    """{phrase: (readings tuple, weight)} for multi-character phrases."""
    best = {}
    body = False
    version = ""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not body:
                if line.startswith("version:"):
                    version = line.split(":", 1)[1].strip().strip('"')
                if line == "...":
                    body = True
                continue
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            word = parts[0]
            if len(parts) < 2 or len(word) < 2:
                continue
            where = "%s:%d" % (path, n)
            syl = tuple(rime_syllable(s, where) for s in parts[1].split())
            if len(syl) != len(word):
                die("%s: %d characters, %d syllables" % (where, len(word), len(syl)))
            w = int(parts[2]) if len(parts) > 2 and parts[2] else 0
            old = best.get(word)
            # heaviest reading; a tie goes to the first in sort order
            if old is None or (-w, syl) < (-old[1], old[0]):
                best[word] = (syl, w)
    return best, version


def read_override(path):
    chars, phrases = {}, {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (path, n)
            parts = line.split()
            word, syl = parts[0], tuple(toneless(s, where) for s in parts[1:])
            if len(syl) != len(word):
                die("%s: %d characters, %d syllables" % (where, len(word), len(syl)))
            if len(word) > MAX_PHRASE:
                die("%s: longer than %d characters" % (where, MAX_PHRASE))
            if len(word) == 1:
                if ord(word) in chars:
                    die("%s: %s listed twice" % (where, word))
                chars[ord(word)] = syl[0]
            else:
                if word in phrases:
                    die("%s: %s listed twice" % (where, word))
                phrases[word] = syl
    return chars, phrases


def fold_table(variants, phrase_chars):
    """{traditional cp: simplified cp} (see the module comment)."""
    cands = collections.defaultdict(list)
    for s, vs in variants.items():
        for t in sorted({int(v[2:], 16) for v in vs} - {s}):
            cands[t].append(s)
    uses = collections.Counter(ord(c) for w in phrase_chars for c in w)
    fold = {}
    for t, ss in sorted(cands.items()):
        if uses[t] or t > 0xFFFF:
            continue
        ranked = sorted(((-uses[s], s) for s in ss if uses[s]))
        if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
            continue
        fold[t] = ranked[0][1]
    return fold


def closure(phrases, keep):
    """Add to keep every phrase needed for matching to read as with all."""
    keep = set(keep)
    while True:
        prefixes = set()
        for k in keep:
            for m in range(1, len(k)):
                prefixes.add(k[:m])
        added = []
        for p in sorted(phrases):
            if p in keep:
                continue
            need = any(p[:m] in keep for m in range(2, len(p)))
            for j in range(1, len(p)):
                if need:
                    break
                s = p[j:]
                need = s in prefixes or any(s[:m] in keep for m in range(2, len(s) + 1))
            if need:
                added.append(p)
        if not added:
            return keep
        keep.update(added)


def c_array(out, decl, values, per_line, fmt, sep=", "):
    out.write("%s = {\n" % decl)
    for i in range(0, len(values), per_line):
        out.write("\t" + sep.join(fmt % v for v in values[i:i + per_line]) + ",\n")
    out.write("};\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readings", default=DEF_READINGS)
    ap.add_argument("--variants", default=DEF_VARIANTS)
    ap.add_argument("--rime", default=DEF_RIME)
    ap.add_argument("--override", default=DEF_OVERRIDE)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--stats", action="store_true", help="print counts to stderr")
    a = ap.parse_args()

    mand, uver = read_unihan(a.readings, "kMandarin")
    variants, _ = read_unihan(a.variants, "kTraditionalVariant")
    rime, rver = read_rime(a.rime)
    ochars, ophrases = read_override(a.override)

    dflt = {cp: toneless(v[0], "U+%04X" % cp) for cp, v in mand.items() if v}
    # An override's syllables must be ones the sources know (catches typos).
    known = set(dflt.values())
    for syl, _ in rime.values():
        known.update(syl)
    for w, syl in sorted(ophrases.items()) + sorted((chr(c), (s,)) for c, s in ochars.items()):
        for s in syl:
            if s not in known:
                die("override %s: unknown syllable %r" % (w, s))
    dflt.update(ochars)

    # Phrases: rime's, then ours over them (folded to simplified first).
    fold = fold_table(variants, rime.keys())

    def fold_word(w):
        return "".join(chr(fold.get(ord(c), ord(c))) for c in w)

    phrases = {w: syl for w, (syl, _) in rime.items()}
    for w, syl in sorted(ophrases.items()):
        fw = fold_word(w)
        if fw in ophrases and fw != w:
            die("override %s folds to %s, which is listed too" % (w, fw))
        phrases[fw] = syl
    for w in phrases:
        if any(ord(c) > 0xFFFF for c in w):
            die("phrase %s: characters beyond U+FFFF are not supported" % w)
        if not DENSE_LO <= ord(w[0]) <= DENSE_HI:
            die("phrase %s: first character outside U+%04X..U+%04X" % (w, DENSE_LO, DENSE_HI))

    def reads_as_chars(w):
        return tuple(dflt.get(ord(c), "") for c in w) == phrases[w]

    differ = {w for w in phrases if not reads_as_chars(w)}
    forced = {fold_word(w) for w in ophrases}
    keep = closure(phrases, differ | forced)

    # Syllables: every one used by a kept reading.
    syls = set(dflt.values())
    for w in keep:
        syls.update(phrases[w])
    syls = sorted(syls)
    if len(syls) >= 1 << SYL_BITS:
        die("%d syllables do not fit in %d bits" % (len(syls), SYL_BITS))
    if max(len(s) for s in syls) > 7:
        die("a syllable longer than 7 letters")
    sid = {s: i + 1 for i, s in enumerate(syls)}

    dense = [0] * (DENSE_HI - DENSE_LO + 1)
    sparse = []
    for cp in sorted(dflt):
        if DENSE_LO <= cp <= DENSE_HI:
            dense[cp - DENSE_LO] = sid[dflt[cp]]
        else:
            sparse.append((cp << SYL_BITS) | sid[dflt[cp]])
    lenflag = {2: F_L2, 3: F_L3, 4: F_L4}
    for w in keep:
        dense[ord(w[0]) - DENSE_LO] |= lenflag.get(len(w), F_L5P)
    fold_out = []
    for t, s in sorted(fold.items()):
        if DENSE_LO <= t <= DENSE_HI:
            dense[t - DENSE_LO] |= F_FOLD
            fold_out.append((t << 16) | s)

    same = collections.defaultdict(list)
    diff = collections.defaultdict(list)
    for w in sorted(keep, key=lambda w: [ord(c) for c in w]):
        if w in differ:
            diff[len(w)].append([ord(c) for c in w] + [sid[s] for s in phrases[w]])
        else:
            same[len(w)].append([ord(c) for c in w])

    # Bucket index of each phrase table: row of the first phrase whose first
    # character is >= DENSE_LO + b * 2**BUCKET_BITS, for b = 0..n_buckets.
    n_buckets = (DENSE_HI - DENSE_LO + 1) >> BUCKET_BITS

    def bucket_index(rows):
        if len(rows) >= 1 << 16:
            die("a phrase table of %d rows does not fit the uint16 index" % len(rows))
        idx, r = [], 0
        for b in range(n_buckets + 1):
            while r < len(rows) and rows[r][0] < DENSE_LO + (b << BUCKET_BITS):
                r += 1
            idx.append(r)
        return idx

    size = len(syls) * 8 + 8 + len(dense) * 2 + len(sparse) * 4 + len(fold_out) * 4
    size += sum(len(v) * len(v[0]) * 2 for t in (same, diff) for v in t.values())
    size += sum(len(t) for t in (same, diff)) * (n_buckets + 1) * 2
    n_same = sum(len(v) for v in same.values())
    n_diff = sum(len(v) for v in diff.values())

    stats = [
        "characters with a reading: %d (%d in U+3400..U+9FFF, %d elsewhere)"
        % (len(dflt), len(dflt) - len(sparse), len(sparse)),
        "syllables: %d" % len(syls),
        "rime phrases: %d (multi-character, heaviest reading each); overrides: "
        "%d characters, %d phrases" % (len(rime), len(ochars), len(ophrases)),
        "phrases kept: %d = %d with readings of their own + %d that read as "
        "their characters (kept so that matching is not misled, or overrides); "
        "%d never matter, dropped" % (len(keep), n_diff, n_same, len(phrases) - len(keep)),
        "traditional characters folded to simplified for matching: %d" % len(fold_out),
        "rodata: %d bytes (%.0f KiB)" % (size, size / 1024),
    ]
    if a.stats:
        for s in stats:
            print(s, file=sys.stderr)

    out = io.StringIO()
    out.write("/* pinyin_data.c: GENERATED by tools/gen_pinyin.py -- do not edit.\n")
    out.write(" * Regenerate with `make pinyin` (python3 tools/gen_pinyin.py -o FILE);\n"
              " * `make pinyin-check`, part of `make check`, fails if this file is not\n"
              " * what the generator makes.\n *\n")
    out.write(" * From (Debian packages):\n")
    out.write(" *   %s (unicode-data, Unicode %s; Unicode licence)\n *     sha256 %s\n"
              % (os.path.basename(a.readings), uver or "?", sha(a.readings)))
    out.write(" *   %s (unicode-data; Unicode licence)\n *     sha256 %s\n"
              % (os.path.basename(a.variants), sha(a.variants)))
    out.write(" *   %s (rime-data-pinyin-simp, version %s; Apache-2.0)\n *     sha256 %s\n"
              % (os.path.basename(a.rime), rver or "?", sha(a.rime)))
    out.write(" *   data/pinyin_override.txt (ours)\n *     sha256 %s\n *\n" % sha(a.override))
    out.write(" * This file holds data derived from, and modified from, those files\n"
              " * (tones stripped, u-umlaut written v, phrases selected, corrected by\n"
              " * our overrides). Unihan: Copyright (c) Unicode, Inc., under the Unicode\n"
              " * licence. pinyin_simp.dict.yaml: Copyright GONG Chen, derived from the\n"
              " * Android Pinyin IME, under the Apache License 2.0. The notices and\n"
              " * licences are in docs/pinyin.md.\n *\n")
    for s in stats:
        out.write(" * %s\n" % s)
    out.write(" * Layout: see the comment at the top of tools/gen_pinyin.py.\n */\n")
    out.write("#include <stdint.h>\n\n")
    out.write("/* Each array is declared in kiosk/core/pinyin.c. */\n")
    out.write("extern const uint32_t pinyin_n_syl, pinyin_n_sparse, pinyin_n_fold;\n")
    out.write("extern const uint32_t pinyin_n_same[9], pinyin_n_diff[9];\n")
    out.write("extern const char pinyin_syl[][8];\n")
    out.write("extern const uint16_t pinyin_dense[];\n")
    out.write("extern const uint32_t pinyin_sparse[], pinyin_fold[];\n")
    out.write("extern const uint16_t *const pinyin_same[9], *const pinyin_diff[9];\n\n")

    out.write("const uint32_t pinyin_n_syl = %d;\n" % len(syls))
    c_array(out, "const char pinyin_syl[][8]", [""] + syls, 10, '"%s"')
    out.write("\n/* U+%04X..U+%04X */\n" % (DENSE_LO, DENSE_HI))
    c_array(out, "const uint16_t pinyin_dense[%d]" % len(dense), dense, 16, "%d", ",")
    out.write("\nconst uint32_t pinyin_n_sparse = %d;\n" % len(sparse))
    c_array(out, "const uint32_t pinyin_sparse[]", sparse or [0], 8, "0x%08x")
    out.write("\nconst uint32_t pinyin_n_fold = %d;\n" % len(fold_out))
    c_array(out, "const uint32_t pinyin_fold[]", fold_out or [0], 8, "0x%08x")

    for name, tab, width in (("same", same, 1), ("diff", diff, 2)):
        for n in sorted(tab):
            out.write("\n/* %d phrases of %d characters%s */\n"
                      % (len(tab[n]), n, ", then their syllables" if width == 2 else ""))
            flat = [x for row in tab[n] for x in row]
            c_array(out, "static const uint16_t %s_%d[]" % (name, n), flat,
                    n * width * (4 if n * width <= 4 else 2), "%d", ",")
            c_array(out, "static const uint16_t %s_%d_idx[%d]" % (name, n, n_buckets + 1),
                    bucket_index(tab[n]), 16, "%d", ",")
        out.write("\nconst uint32_t pinyin_n_%s[9] = { %s };\n"
                  % (name, ", ".join(str(len(tab.get(n, []))) for n in range(9))))
        for suffix in ("", "_idx"):
            out.write("const uint16_t *const pinyin_%s%s[9] = { %s };\n"
                      % (name, suffix, ", ".join("%s_%d%s" % (name, n, suffix) if n in tab
                                                 else "0" for n in range(9))))

    text = out.getvalue()
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
