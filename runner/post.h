/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_POST_H
#define PINBENCH_POST_H

#include "db/db.h"
#include "runner/cli.h"

/*
 * Send mail id of the outbox over SMTP ([mail] smtp_url, tls, user): it is
 * "sending" while it goes, "sent" after, back to "queued" with the error
 * when it fails (for `pinbench post --retry`). 0 sent, -1 not (printed).
 */
int post_send_mail(struct cli *cli, struct db *db, long long id);

/* The envelope's recipients as the outbox keeps them: a JSON array (caller frees). */
char *mail_recipients_json(const struct strvec *rcpts);

#endif
