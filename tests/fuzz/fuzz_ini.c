/* fuzz_ini.c: libFuzzer target for ini_parse (configuration and themes are
 * files a technician edits by hand, so anything may be in them). */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static int on_key(void *ud, const char *section, const char *key, const char *value,
                  char *err, size_t errlen)
{
	size_t *count = ud;

	/* Touch every byte so ASan sees any bad string. */
	if (strlen(section) + strlen(key) + strlen(value) > 3 * 4096 || key[0] == '\0')
		abort();
	(*count)++;
	/* Exercise the callback-error path too. */
	if (strcmp(key, "fail") == 0) {
		memcpy(err, "no", errlen < 3 ? errlen : 3);
		if (errlen)
			err[errlen - 1] = '\0';
		return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[128];
	size_t count = 0;
	int rc;

	memcpy(text, data, size);
	text[size] = '\0';
	rc = ini_parse(text, on_key, &count, err, sizeof err);
	if (rc < 0)
		abort();
	free(text);
	return 0;
}
