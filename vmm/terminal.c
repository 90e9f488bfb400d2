/* SPDX-License-Identifier: MIT */
#include "terminal.h"

#include <termios.h>
#include <unistd.h>

static struct termios saved;
static bool saved_valid;

bool terminal_enter_raw(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
        return false;
    struct termios raw = saved;
    cfmakeraw(&raw);
    raw.c_lflag |= ISIG; /* Ctrl-C still stops the monitor */
    raw.c_oflag |= OPOST | ONLCR;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
        return false;
    saved_valid = true;
    return true;
}

void terminal_restore(void)
{
    if (saved_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    saved_valid = false;
}
