/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HV_IOCTL_DEV_H
#define HV_IOCTL_DEV_H

int hv_dev_register(void);
void hv_dev_unregister(void);

#endif /* HV_IOCTL_DEV_H */
