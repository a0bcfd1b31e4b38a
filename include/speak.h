/* speak.h: text for the ear (pure core): how amounts, codes and numbers are
 * read aloud, in Mandarin and English. Results are new strings.
 */
#ifndef KIOSK_SPEAK_H
#define KIOSK_SPEAK_H

/* An amount in fen as money: 1250 → "十二元五角", 1205 → "十二元零五分",
 * 100000 → "一千元", 0 → "零元"; en: "12 yuan 50 fen" style
 * ("12 yuan and 50 fen", "1 yuan", "5 fen"). Negative: "负"/"minus". */
char *speak_money(long long fen, const char *lang);

/* A code or ID number read one character at a time: digits as words
 * (zh: 一二三…零, "1" never 幺; en: "one two three"), letters as
 * themselves, separators dropped: "BCDF-GHJK" → "B C D F G H J K". */
char *speak_chars(const char *code, const char *lang);

/* A count read as a number: 23 → "二十三" / "23". */
char *speak_number(long long n, const char *lang);

#endif
