// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the recurrent layers (GRU, LSTM) have in common: their options and the two forms each
// comes in.
//   sequence form   GRU<Units>, LSTM<Units>: a [time, features] input, all steps in one call,
//                   the state starting from the layer's initial state (h0, c0: zero unless set);
//                   the output is the last hidden state [Units] (rnn::Output::last, default) or
//                   every step's [time, Units] (rnn::Output::sequence, Keras's
//                   return_sequences).
//   streaming form  StreamingGRU<Units>, StreamingLSTM<Units>: a [features] input, one time step
//                   per call, the state in the caller's Model::state_type (a StatefulLayer,
//                   core/concepts.hpp): a keyword spotter or activity model then runs per frame.
// Both forms of a cell hold the same parameters in the same layout, so weights trained or
// imported for one run in the other; run step by step, the streaming form gives the sequence
// form's values exactly.
#include <cstddef>

namespace ctml::rnn {

enum class Output { last, sequence };
// GRU only: where the reset gate applies (kernels/gru.hpp).
enum class Reset { after, before };

}  // namespace ctml::rnn
