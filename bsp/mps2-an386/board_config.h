/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CTML_BOARD_CONFIG_H
#define CTML_BOARD_CONFIG_H
#define CTML_BOARD_NAME "mps2-an386 (Cortex-M4F)"
/* SysTick with CLKSOURCE=1 counts at the processor clock QEMU models for this board. */
#define CTML_BOARD_SYSTICK_HZ 25000000u
#endif
