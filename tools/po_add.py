#!/usr/bin/env python3
"""po_add.py TABLE.py: fill new entries of locale/zh_CN.po and zh_TW.po.

After `make po`, new messages are untranslated (or fuzzy guesses from old
ones). TABLE.py defines T = {msgid: zh_CN} and P = {msgid: [zh_CN plural
form]} (Chinese has one plural form). Each entry of T and P replaces that
msgid's entry in both catalogs, not fuzzy; zh_TW is made from the zh_CN
text with OpenCC (opencc -c s2twp, Debian package opencc), as
gateway/zh_tw_gen.py does. Then `msgfmt -c` checks both.
"""
import os
import subprocess
import sys
import tempfile


def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def tw(texts):
    out = subprocess.run(['opencc', '-c', 's2twp'], input='\n'.join(texts) + '\n',
                         capture_output=True, text=True, check=True).stdout.split('\n')
    return out[:len(texts)]


def main():
    ns = {}
    exec(open(sys.argv[1], encoding='utf-8').read(), ns)
    T, P = ns.get('T', {}), ns.get('P', {})
    keys = list(T) + list(P)
    zh = [T[k] for k in T] + [P[k][0] for k in P]
    for lang, vals in (('zh_CN', zh), ('zh_TW', tw(zh))):
        po = f'locale/{lang}.po'
        add = []
        for k, v in zip(keys, vals):
            if k in P:
                # the plural id: msgid_plural from the .pot
                plural = subprocess.run(['msggrep', '--no-wrap', '-K', '-F', '-e', k, 'locale/kiosk.pot'],
                                        capture_output=True, text=True).stdout
                pl = [l for l in plural.split('\n') if l.startswith('msgid_plural ')]
                if not pl:
                    sys.exit(f'po_add: no plural of {k!r} in locale/kiosk.pot')
                add.append(f'msgid {q(k)}\n{pl[0]}\nmsgstr[0] {q(v)}\n')
            else:
                add.append(f'msgid {q(k)}\nmsgstr {q(v)}\n')
        head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        with tempfile.NamedTemporaryFile('w', suffix='.po', delete=False, encoding='utf-8') as f:
            f.write(head + '\n'.join(add))
            addpo = f.name
        # The old entries of these ids go (fuzzy guesses, empty ones), the
        # new ones come first, then msgmerge puts them in the .pot's order.
        keep = tempfile.mktemp(suffix='.po')
        subprocess.run(['msgcat', '--use-first', '-o', keep, addpo, po], check=True)
        header = open(po, encoding='utf-8').read().split('\n\n', 1)[0]
        subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', po, keep, 'locale/kiosk.pot'], check=True)
        # The catalog's own header, not the one of the additions.
        body = open(po, encoding='utf-8').read().split('\n\n', 1)[1]
        with open(po, 'w', encoding='utf-8') as f:
            f.write(header + '\n\n' + body)
        subprocess.run(['msgattrib', '--clear-fuzzy', '--only-fuzzy', '-o', os.devnull, po], check=True)
        os.unlink(addpo)
        os.unlink(keep)
        subprocess.run(['msgfmt', '-c', '-o', os.devnull, po], check=True)


if __name__ == '__main__':
    main()
