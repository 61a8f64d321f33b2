// SPDX-License-Identifier: Apache-2.0
#pragma once
// A vibration simulator for a rotating machine: a motor driving a gearbox on rolling-element
// bearings, one accelerometer on the bearing housing (acceleration in g). Used by the predictive
// maintenance example on the host and on Cortex-M (the same code generates the signal in both).
//
// The signal, sample by sample (fs = sample_rate):
//   shaft speed  fr(t) = fr0 (1 + 0.004 sin(2 pi t / 6.1 s) + w(t)), w a slow random walk within
//                +-1 % (speed drift of an induction motor under varying load);
//                shaft angle theta += 2 pi fr / fs
//   shaft        a1 sin(theta + p1) + a2 sin(2 theta + p2) + a3 sin(3 theta + p3): residual
//                imbalance (1x) and alignment (2x, 3x) of a healthy machine
//   gear mesh    g sin(z theta) (1 + 0.2 sin theta): z teeth, amplitude-modulated by the shaft
//   bearing      impacts exciting the housing's structural resonance (below): a defect is struck
//                at its characteristic frequency, from the bearing geometry (n balls, ball
//                diameter d, pitch diameter D, contact angle phi; r = d / D cos phi):
//                  outer race  BPFO = n / 2 fr (1 - r)             constant amplitude
//                  inner race  BPFI = n / 2 fr (1 + r)             modulated at 1x (the defect
//                                                                  rotates through the load zone)
//                  ball        2 BSF = D / d fr (1 - r^2)          modulated at the cage frequency
//                                                                  FTF = fr / 2 (1 - r)
//                with a random 1 % jitter of each interval (rolling elements slip)
//   resonance    a two-pole resonator at f_res (bandwidth 300 Hz) driven by the impacts and by
//                broadband process noise (flow, friction): impacts appear as decaying bursts at
//                f_res, as in a real housing
//   sensor       white noise
// Faults and their severity s in [0, 1] (s = 0.1 incipient, 0.3 moderate, 0.6 severe):
//   imbalance     1x amplitude a1 (1 + 3 s)
//   misalignment  2x amplitude a2 (1 + 4 s), 3x a3 (1 + 2 s), 1x a1 (1 + 0.5 s)
//   outer / inner race, ball: impacts of peak acceleration 2 s g (1.5 s g for a ball) at the
//                 resonance, times the machine's impact gain
// Machines of one type differ within tolerances (Machine::make): nominal speed +-3 %, resonance
// +-10 %, shaft harmonics and gear mesh amplitudes +-30 %, process and sensor noise +-20 %, impact
// transmission +-25 %, and every harmonic's phase. A model trained on some machines is tested on
// others.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../common/example_utils.hpp"

namespace pdm {

enum class Fault : std::uint8_t { none, imbalance, misalignment, outer_race, inner_race, ball };
inline constexpr std::size_t fault_count = 6;
inline constexpr const char* fault_names[fault_count] = {"normal", "imbalance", "misalignment", "outer race", "inner race", "ball"};

inline constexpr double incipient = 0.1, moderate = 0.3, severe = 0.6;

// A deep-groove ball bearing (the geometry of a 6205: 9 balls of 7.94 mm on a 39.04 mm pitch).
struct Bearing {
  int balls = 9;
  double ball_diameter = 7.94e-3, pitch_diameter = 39.04e-3, cos_contact_angle = 1.0;  // m, m, cos(phi)
  constexpr double ratio() const { return ball_diameter / pitch_diameter * cos_contact_angle; }
  constexpr double bpfo(double fr) const { return balls / 2.0 * fr * (1.0 - ratio()); }
  constexpr double bpfi(double fr) const { return balls / 2.0 * fr * (1.0 + ratio()); }
  constexpr double bsf(double fr) const { return pitch_diameter / (2.0 * ball_diameter) * fr * (1.0 - ratio() * ratio()); }
  constexpr double ftf(double fr) const { return fr / 2.0 * (1.0 - ratio()); }
};

// The machine type (nominal values).
struct MachineType {
  double sample_rate = 8000.0;  // Hz
  double speed = 29.95;         // Hz (1,797 rpm)
  int gear_teeth = 23;
  double resonance = 3000.0, resonance_bandwidth = 300.0;  // Hz
  double a1 = 0.30, a2 = 0.10, a3 = 0.05, gear = 0.15;    // g
  double process_noise = 0.05, sensor_noise = 0.02;       // g
  Bearing bearing{};
};

using Rng = ex::Rng;  // SplitMix64, uniform and normal (examples/common/example_utils.hpp)

// One machine: the type within its tolerances (deterministic in the seed).
struct Machine {
  MachineType type{};
  double speed = 0, resonance = 0, a1 = 0, a2 = 0, a3 = 0, gear = 0, process_noise = 0, sensor_noise = 0, impact_gain = 0;
  double p1 = 0, p2 = 0, p3 = 0;

  static Machine make(const MachineType& t, std::uint64_t seed) {
    Rng r{seed * 0x5851F42D4C957F2Dull + 17};
    Machine m;
    m.type = t;
    m.speed = t.speed * r.between(0.97, 1.03);
    m.resonance = t.resonance * r.between(0.9, 1.1);
    m.a1 = t.a1 * r.between(0.7, 1.3);
    m.a2 = t.a2 * r.between(0.7, 1.3);
    m.a3 = t.a3 * r.between(0.7, 1.3);
    m.gear = t.gear * r.between(0.7, 1.3);
    m.process_noise = t.process_noise * r.between(0.8, 1.2);
    m.sensor_noise = t.sensor_noise * r.between(0.8, 1.2);
    m.impact_gain = r.between(0.75, 1.25);
    m.p1 = r.between(0, 6.283185307179586), m.p2 = r.between(0, 6.283185307179586), m.p3 = r.between(0, 6.283185307179586);
    return m;
  }
};

struct Condition {
  Fault fault = Fault::none;
  double severity = 0.0;
};

// A continuous signal from one machine in one condition (the condition may change between calls:
// a defect that grows).
class Simulator {
 public:
  Simulator(const Machine& m, std::uint64_t seed) : m_(m), rng_{seed * 0x2545F4914F6CDD1Dull + 3} {
    const double fs = m.type.sample_rate;
    const double w = 6.283185307179586 * m.resonance / fs;
    rr_ = std::exp(-3.141592653589793 * m.type.resonance_bandwidth / fs);
    c1_ = 2.0 * rr_ * std::cos(w);
    c2_ = -rr_ * rr_;
    gain_ = std::sin(w);  // an impulse of A gives a burst of peak ~A
    next_impact_ = 1.0;
  }

  void generate(const Condition& c, float* out, std::size_t n) {
    const double fs = m_.type.sample_rate, tau = 6.283185307179586;
    const double s = c.severity;
    double a1 = m_.a1, a2 = m_.a2, a3 = m_.a3;
    if (c.fault == Fault::imbalance) a1 *= 1.0 + 3.0 * s;
    if (c.fault == Fault::misalignment) a1 *= 1.0 + 0.5 * s, a2 *= 1.0 + 4.0 * s, a3 *= 1.0 + 2.0 * s;
    const Bearing& b = m_.type.bearing;
    for (std::size_t i = 0; i < n; ++i) {
      t_ += 1.0 / fs;
      walk_ += 0.00002 * rng_.normal();
      walk_ = walk_ > 0.01 ? 0.01 : (walk_ < -0.01 ? -0.01 : walk_);
      const double fr = m_.speed * (1.0 + 0.004 * std::sin(tau * t_ / 6.1) + walk_);
      theta_ += tau * fr / fs;
      if (theta_ > tau * 1024.0) theta_ -= tau * 1024.0;  // keep the angle's precision
      double x = a1 * std::sin(theta_ + m_.p1) + a2 * std::sin(2.0 * theta_ + m_.p2) + a3 * std::sin(3.0 * theta_ + m_.p3);
      x += m_.gear * std::sin(m_.type.gear_teeth * theta_) * (1.0 + 0.2 * std::sin(theta_));
      // Bearing impacts: the defect's phase advances at its frequency; an impact when it wraps.
      double drive = m_.process_noise * gain_ * rng_.normal();
      if (c.fault == Fault::outer_race || c.fault == Fault::inner_race || c.fault == Fault::ball) {
        const double f = c.fault == Fault::outer_race ? b.bpfo(fr) : (c.fault == Fault::inner_race ? b.bpfi(fr) : 2.0 * b.bsf(fr));
        defect_ += f / fs;
        cage_ += b.ftf(fr) / fs;
        if (defect_ >= next_impact_) {
          defect_ -= next_impact_;
          next_impact_ = 1.0 + 0.01 * rng_.normal();
          double a = (c.fault == Fault::ball ? 1.5 : 2.0) * s * m_.impact_gain;
          if (c.fault == Fault::inner_race) a *= 0.5 * (1.0 + std::cos(theta_));
          if (c.fault == Fault::ball) a *= 0.5 * (1.0 + std::cos(tau * cage_));
          drive += a * gain_;
        }
      }
      const double y = drive + c1_ * y1_ + c2_ * y2_;
      y2_ = y1_, y1_ = y;
      x += y + m_.sensor_noise * rng_.normal();
      out[i] = static_cast<float>(x);
    }
  }

 private:
  Machine m_;
  Rng rng_;
  double rr_ = 0, c1_ = 0, c2_ = 0, gain_ = 0;
  double t_ = 0, theta_ = 0, walk_ = 0, defect_ = 0, cage_ = 0, next_impact_ = 1.0;
  double y1_ = 0, y2_ = 0;
};

}  // namespace pdm
