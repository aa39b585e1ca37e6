// Noise releases on a Poisson sample (analyzer/detail/subsampling.hpp). Each record is in the
// sample with probability q, independently; the release sees the sample only.
//  - add/remove data, a membership question: the subsampled pairs of Zhu, Dong & Wang 2022
//    (Thm 11), both directions (dp::Mechanism::subsampled_laplace, subsampled_gaussian);
//  - add/remove data, a value question (replace-one): the Gaussian's substitution pair (Zhu,
//    Dong & Wang 2022; the records' noise-free outputs each within the add/remove sensitivity of
//    the sample without them); Laplace by the PLD of its three-output mixture, the pair
//    (q·Lap(−Δ) + (1−q)·Lap(0), q·Lap((f − 1)Δ) + (1−q)·Lap(0)) both ways, f the replace-one
//    factor (dp::Mechanism::subsampled_laplace_replace); its pure ε (RDP, sums) also at most
//    log(1 + q(e^{fε} − 1)) (advanced joint convexity: Balle, Barthe & Gaboardi 2018, Thm 2 and
//    the proof of Thm 10) and 2·log(1 + q(e^ε − 1)) (x removed, then x' added: Thm 8 twice);
//  - replace-one data: the sample is not used. Only the replace-one sensitivity is known there,
//    not how far a record's absence moves the output, and the mixture with the shared "neither"
//    output is dominated by the unsampled pair (joint convexity): sound, not amplified.
#include "analyzer/detail/subsampling.hpp"

#include <algorithm>
#include <cmath>

#include "base/text.hpp"

namespace privflow::analyzer::detail {
namespace {

double rate_up(const Rational& q) { return std::min(1.0, to_double_up(q)); }

}  // namespace

SampledProfile sampled_laplace(const Rational& epsilon, const Rational& replace_factor, const Rational& q,
                               SampledQuestion question) {
  SampledProfile out;
  const double eps = to_double_up(epsilon), rate = rate_up(q);
  const std::string rate_text = "Poisson sample of rate " + format_compact(q);
  if (!question.add_remove) {
    out.mechanism = dp::Mechanism::laplace(epsilon);
    out.words = ", " + rate_text + " (not amplified: replace-one data)";
    return out;
  }
  if (!question.to_replace) {
    out.mechanism = dp::Mechanism::subsampled_laplace(eps, rate);
    out.words = ", " + rate_text + ": pure epsilon " + format_double_up(out.mechanism.epsilon, 4) +
                ", PLD of the subsampled pair both ways (Zhu, Dong & Wang 2022, Thm 11)";
    return out;
  }
  // The PLD of the three-output mixture (dp/subsampled.cpp, ReplaceLaplace): the record in the
  // sample w.p. q moves the output by a (x) or b (x'), |a|, |b| ≤ Δ, |a − b| ≤ fΔ.
  Rational shift = replace_factor - 1;
  shift.canonicalize();
  out.mechanism = dp::Mechanism::sampled_laplace_replace(epsilon, rate, replace_factor);
  out.words = ", " + rate_text + ": replace-one, PLD of q·Lap(-1) + (1-q)·Lap(0) against q·Lap(" +
              format_compact(shift) + ") + (1-q)·Lap(0) both ways (sensitivity units; pure epsilon " +
              format_double_up(out.mechanism.epsilon, 4) + ")";
  return out;
}

std::optional<SampledProfile> sampled_gaussian(double z, const Rational& q, SampledQuestion question) {
  if (!question.add_remove) return std::nullopt;
  SampledProfile out;
  out.mechanism = dp::Mechanism::subsampled_gaussian(z, rate_up(q));
  out.words = ", Poisson sample of rate " + format_compact(q);
  if (question.to_replace) {
    out.mechanism = out.mechanism.with(dp::Neighbouring::kReplace);
    out.words += " (replace-one: the substitution pair of Zhu, Dong & Wang 2022)";
  } else {
    out.words += " (the subsampled Gaussian, both ways: Zhu, Dong & Wang 2022, Thm 11)";
  }
  return out;
}

SampledProfile sampled_randomized_response(const dp::Mechanism& rr, const Rational& q) {
  SampledProfile out;
  out.mechanism = rr.poisson_sampled(rate_up(q));
  out.words = ", sent with probability " + format_compact(q) + " (its absence seen: delta scaled by it, epsilon unchanged)";
  return out;
}

}  // namespace privflow::analyzer::detail
