// SPDX-License-Identifier: Apache-2.0
#pragma once
// A simulator of a 3-axis accelerometer in a trouser pocket (a phone or a tag on the thigh), for
// the activity recognition example. Acceleration in g, device axes; the same code on the host and
// on Cortex-M.
//
// Body: the thigh's angle from vertical theta(t) in the sagittal plane (forward positive) and the
// trunk's vertical acceleration a_v(t), per activity (f: stride or pedal frequency of the person):
//   standing   theta = 3 deg + 2 deg sway (0.3 Hz)                   a_v = 0
//   sitting    theta = 85 deg (+-6 per person) + 3 deg fidgeting     a_v = 0
//   walking    theta = 5 + 22 sin(2 pi f t) + 4 sin(4 pi f t) deg    a_v = 0.25 g sin(4 pi f t), heel
//                                                                    strikes 0.6 g (own leg), 0.3 g
//   running    theta = 10 + 40 sin + 6 sin(2x) deg                   a_v = 0.9 g sin(4 pi f t), impacts 2.0 /
//                                                                    1.0 g
//   cycling    theta = 55 + 22 sin(2 pi f t) deg                     a_v = 0.05 g, frame vibration
//                                                                    0.08 g (road)
//   stairs     up: theta = 25 + 30 sin + 5 sin(2x) deg               a_v = 0.3 g sin(4 pi f t), impacts 0.4
//              f = 0.65 .. 0.9                                       / 0.2 g
//              down (half the sessions): 12 + 24 sin + 4 sin(2x)    a_v = 0.35 g, impacts 0.9 / 0.4 g
// (frequency ranges: walking 0.8 .. 1.05 Hz, running 1.3 .. 1.6, cycling 0.9 .. 1.45, stairs 0.65 ..
// 0.9, before the person's cadence). Every person has a cadence (+-15 %), an intensity (+-30 %), a
// swing amplitude (+-25 %), a mean lean (+-5 deg) and impact strength (+-40 %), and the frequency
// wanders from stride to stride (a random walk, +-3 %). An impact is a 12 Hz oscillation decaying in 40 ms.
// The sensor sits 0.25 m below the hip, its y axis along the thigh (towards the hip), rotated about
// it by any angle, tilted up to 15 deg, possibly upside down (per person: how the phone went into
// the pocket). It measures the specific force: the pocket's acceleration (the trunk's, the
// thigh's swing: tangential theta'' r, centripetal theta'^2 r) minus gravity, in its own axes.
// Devices differ (Device::make): sampling at 50 or 100 Hz, noise 0.004 .. 0.02 g rms, bias up to
// +-0.06 g and scale error up to +-4 % per axis, resolution 12 bits over +-8 g (3.9 mg).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../common/example_utils.hpp"

namespace har {

enum class Activity : std::uint8_t { walking, running, cycling, stairs, sitting, standing };
inline constexpr std::size_t activity_count = 6;
inline constexpr const char* activity_names[activity_count] = {"walking", "running", "cycling", "stairs", "sitting", "standing"};

using Rng = ex::Rng;  // SplitMix64, uniform and normal (examples/common/example_utils.hpp)

struct Person {
  double cadence = 1, intensity = 1, sitting_angle = 85;  // factor, factor, deg
  double swing = 1, lean = 0, impact = 1;                 // gait amplitude factor, mean angle offset (deg), impact factor
  double spin = 0, tilt = 0;                              // rad: the phone about the thigh, and tilted
  bool upside_down = false;
  static Person make(std::uint64_t id) {
    Rng r{id * 0x9E3779B97F4A7C15ull + 101};
    Person p;
    p.cadence = r.between(0.85, 1.15);
    p.intensity = r.between(0.7, 1.3);
    p.swing = r.between(0.75, 1.25);
    p.lean = r.between(-5, 5);
    p.impact = r.between(0.6, 1.4);
    p.sitting_angle = r.between(79, 91);
    p.spin = r.between(0, 6.283185307179586);
    p.tilt = r.between(-0.26, 0.26);
    p.upside_down = r.uniform() < 0.5;
    return p;
  }
};

struct Device {
  double rate = 50;                        // Hz
  double noise = 0.01;                     // g rms
  double bias[3] = {}, scale[3] = {1, 1, 1};
  static Device make(std::uint64_t id) {
    Rng r{id * 0xD1B54A32D192ED03ull + 7};
    Device d;
    d.rate = id % 2 == 0 ? 50.0 : 100.0;
    d.noise = r.between(0.004, 0.02);
    for (int k = 0; k < 3; ++k) d.bias[k] = r.between(-0.06, 0.06), d.scale[k] = r.between(0.96, 1.04);
    return d;
  }
};

// One person doing one activity with one device: samples x y z (interleaved) at the device's rate.
class Simulator {
 public:
  Simulator(const Person& p, const Device& d, Activity a, std::uint64_t seed) : p_(p), d_(d), a_(a), rng_{seed * 0x2545F4914F6CDD1Dull + 5} {
    const double lo[activity_count] = {0.8, 1.3, 0.9, 0.65, 0.0, 0.0}, hi[activity_count] = {1.05, 1.6, 1.45, 0.9, 0.0, 0.0};
    down_ = a == Activity::stairs && rng_.uniform() < 0.5;  // half the stair sessions go down
    const auto k = static_cast<std::size_t>(a);
    f0_ = rng_.between(lo[k], hi[k]) * p.cadence;
    phase_ = rng_.between(0, 1);
  }

  // n samples (3 n values).
  void generate(float* xyz, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const double dt = 1.0 / d_.rate;
      t_ += dt;
      double theta = 0, dtheta = 0, ddtheta = 0, av = 0;
      motion(theta, dtheta, ddtheta, av, dt);
      // Specific force in the world (x forward, z up), in g: the pocket's acceleration + 1 g up.
      constexpr double r = 0.25, g = 9.81;
      const double s = std::sin(theta), c = std::cos(theta);
      // Thigh axes: along it (towards the hip) u = (-s, 0, c); forward-perpendicular v = (c, 0, s).
      const double tangential = ddtheta * r / g, centripetal = dtheta * dtheta * r / g;
      double fx = tangential * c + centripetal * (-s);
      double fz = tangential * s + centripetal * c + av + 1.0;
      double fy = 0.0;
      if (a_ == Activity::cycling) fx += 0.08 * rng_.normal(), fz += 0.08 * rng_.normal(), fy += 0.05 * rng_.normal();
      // In the thigh's frame (u, v, lateral), then the phone's: spin about u, tilt, orientation.
      const double fu = -s * fx + c * fz, fv = c * fx + s * fz, fl = fy;
      const double cs = std::cos(p_.spin), ss = std::sin(p_.spin);
      double dx = cs * fv + ss * fl, dz = -ss * fv + cs * fl, dy = fu;
      const double ct = std::cos(p_.tilt), st = std::sin(p_.tilt);
      const double y2 = ct * dy - st * dz, z2 = st * dy + ct * dz;
      dy = y2, dz = z2;
      if (p_.upside_down) dy = -dy, dx = -dx;
      const double v[3] = {dx, dy, dz};
      for (int k = 0; k < 3; ++k) {
        double m = v[k] * d_.scale[k] + d_.bias[k] + d_.noise * rng_.normal();
        m = std::round(m / 0.00390625) * 0.00390625;  // 12 bits over +-8 g
        m = m > 8.0 ? 8.0 : (m < -8.0 ? -8.0 : m);
        xyz[3 * i + static_cast<std::size_t>(k)] = static_cast<float>(m);
      }
    }
  }

 private:
  // theta (rad) and its derivatives, the trunk's vertical acceleration (g), at time t_.
  void motion(double& th, double& dth, double& ddth, double& av, double dt) {
    constexpr double deg = 3.141592653589793 / 180.0, tau = 6.283185307179586;
    const double I = p_.intensity;
    switch (a_) {
      case Activity::standing:
        th = (3 + 2 * std::sin(tau * 0.3 * t_)) * deg;
        dth = 2 * deg * tau * 0.3 * std::cos(tau * 0.3 * t_);
        ddth = -2 * deg * (tau * 0.3) * (tau * 0.3) * std::sin(tau * 0.3 * t_);
        return;
      case Activity::sitting:
        th = (p_.sitting_angle + 3 * std::sin(tau * 0.17 * t_ + 1.0)) * deg;
        dth = 3 * deg * tau * 0.17 * std::cos(tau * 0.17 * t_ + 1.0);
        ddth = -3 * deg * (tau * 0.17) * (tau * 0.17) * std::sin(tau * 0.17 * t_ + 1.0);
        return;
      default: break;
    }
    struct Gait {
      double mean, a1, a2, bounce, impact_own, impact_other;
    };
    const Gait gaits[5] = {{5, 22, 4, 0.25, 0.6, 0.3},  {10, 40, 6, 0.9, 2.0, 1.0}, {55, 22, 0, 0.05, 0, 0},
                           {25, 30, 5, 0.3, 0.4, 0.2}, {12, 24, 4, 0.35, 0.9, 0.4}};  // the last: stairs down
    const Gait& gt = gaits[down_ ? 4 : static_cast<std::size_t>(a_)];
    // The stride frequency wanders (+-3 %).
    walk_ += 0.002 * rng_.normal();
    walk_ = walk_ > 0.03 ? 0.03 : (walk_ < -0.03 ? -0.03 : walk_);
    const double f = f0_ * (1 + walk_);
    phase_ += f * dt;
    const double w = tau * f, p = tau * phase_;
    const double S = I * p_.swing;
    th = (gt.mean + p_.lean + S * (gt.a1 * std::sin(p) + gt.a2 * std::sin(2 * p))) * deg;
    dth = S * (gt.a1 * w * std::cos(p) + gt.a2 * 2 * w * std::cos(2 * p)) * deg;
    ddth = -S * (gt.a1 * w * w * std::sin(p) + gt.a2 * 4 * w * w * std::sin(2 * p)) * deg;
    av = I * gt.bounce * std::sin(2 * p);
    // Impacts: the own foot at phase 0.25 (thigh forward), the other at 0.75.
    const double ph = phase_ - std::floor(phase_);
    for (int k = 0; k < 2; ++k) {
      const double at = k == 0 ? 0.25 : 0.75, amp = k == 0 ? gt.impact_own : gt.impact_other;
      double since = (ph - at) / f;
      if (since < 0) since += 1.0 / f;
      if (amp > 0 && since < 0.2) av += I * p_.impact * amp * std::exp(-since / 0.04) * std::cos(tau * 12.0 * since);
    }
  }

  Person p_;
  Device d_;
  Activity a_;
  Rng rng_;
  double f0_ = 0, phase_ = 0, walk_ = 0, t_ = 0;
  bool down_ = false;
};

}  // namespace har
