/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVCTL_PRIVS_H
#define HVCTL_PRIVS_H

int privs_drop(void);

#endif /* HVCTL_PRIVS_H */
