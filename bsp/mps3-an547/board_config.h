/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CTML_BOARD_CONFIG_H
#define CTML_BOARD_CONFIG_H
#define CTML_BOARD_NAME "mps3-an547 (Cortex-M55)"
/* SysTick with CLKSOURCE=1 counts at the processor clock QEMU models for this board. */
#define CTML_BOARD_SYSTICK_HZ 32000000u
#endif
