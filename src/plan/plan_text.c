/* plan_text.c - the "did you mean" suggestion for a misspelt table name. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"


