// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pruning and sparse layers (float and int8). See docs/sparse.md.
#include <ctml/sparse/csr.hpp>
#include <ctml/sparse/layers.hpp>
#include <ctml/sparse/mask.hpp>
#include <ctml/sparse/nm.hpp>
#include <ctml/sparse/prune.hpp>
#include <ctml/sparse/quantized.hpp>
#include <ctml/sparse/static_csr.hpp>
#include <ctml/sparse/structured.hpp>
