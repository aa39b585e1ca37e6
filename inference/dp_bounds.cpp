#include "inference/dp_bounds.hpp"

#include <algorithm>

#include "inference/detail/mpfr_util.hpp"

namespace privflow::inference {
namespace {

using detail::Mpfr;

Rational clamp_epsilon(const Rational& epsilon) { return sgn(epsilon) < 0 ? Rational(0) : epsilon; }

// e^ε into `t`, rounded in direction rnd.
void exp_into(Mpfr& t, const Rational& epsilon, mpfr_rnd_t rnd) {
  mpfr_set_q(t.get(), clamp_epsilon(epsilon).get_mpq_t(), rnd);
  mpfr_exp(t.get(), t.get(), rnd);
}

Rational min1(Rational q) { return q > 1 ? Rational(1) : q; }

// ε·log2(e) = ε / ln 2: ε rounded up, ln 2 rounded down, quotient up.
Rational epsilon_bits_up(const Rational& epsilon) {
  Mpfr e, ln2;
  mpfr_set_q(e.get(), clamp_epsilon(epsilon).get_mpq_t(), MPFR_RNDU);
  mpfr_const_log2(ln2.get(), MPFR_RNDD);
  mpfr_div(e.get(), e.get(), ln2.get(), MPFR_RNDU);
  return e.to_rational();
}

}  // namespace

Rational exp_up(const Rational& epsilon) {
  Mpfr t;
  exp_into(t, epsilon, MPFR_RNDU);
  return t.to_rational();
}

Rational exp_down(const Rational& epsilon) {
  Mpfr t;
  exp_into(t, epsilon, MPFR_RNDD);
  return t.to_rational();
}

Rational posterior_bound_up(const Rational& prior_in, const Rational& epsilon) {
  Rational prior = prior_in;
  prior.canonicalize();
  if (sgn(prior) <= 0) return Rational(0);
  if (prior >= 1) return Rational(1);
  if (sgn(epsilon) <= 0) return prior;  // no loss: the belief stays the prior, exactly
  // e^ε π / (e^ε π + 1 − π) = 1 / (1 + ((1 − π)/π) / e^ε): increasing in e^ε, so round e^ε
  // up, the inner quotient and sum down, and the final reciprocal up.
  Mpfr t, r;
  exp_into(t, epsilon, MPFR_RNDU);
  Rational odds_against = (1 - prior) / prior;
  mpfr_set_q(r.get(), odds_against.get_mpq_t(), MPFR_RNDD);
  mpfr_div(r.get(), r.get(), t.get(), MPFR_RNDD);
  mpfr_add_ui(r.get(), r.get(), 1, MPFR_RNDD);
  mpfr_ui_div(r.get(), 1, r.get(), MPFR_RNDU);
  return std::max(prior, min1(r.to_rational()));
}

Rational combine_with_release_up(const Rational& posterior, const Rational& epsilon) {
  return posterior_bound_up(posterior, epsilon);
}

Rational advantage_bound_up(const Rational& epsilon, const Rational& delta_in) {
  Rational delta = delta_in;
  delta.canonicalize();
  if (sgn(delta) < 0) delta = 0;
  if (delta >= 1) return Rational(1);
  // (t − 1 + 2δ)/(t + 1) = 1 − (2 − 2δ)/(t + 1): increasing in t = e^ε.
  Mpfr t, r;
  exp_into(t, epsilon, MPFR_RNDU);
  mpfr_add_ui(t.get(), t.get(), 1, MPFR_RNDU);
  Rational two_minus = 2 - 2 * delta;
  mpfr_set_q(r.get(), two_minus.get_mpq_t(), MPFR_RNDD);
  mpfr_div(r.get(), r.get(), t.get(), MPFR_RNDD);
  mpfr_ui_sub(r.get(), 1, r.get(), MPFR_RNDU);
  Rational q = r.to_rational();
  if (sgn(q) < 0) q = 0;
  return min1(q);
}

Rational advantage_bound_up(const std::vector<std::pair<Rational, Rational>>& profile) {
  Rational best = 1;
  for (const auto& [eps, delta] : profile) best = std::min(best, advantage_bound_up(eps, delta));
  return best;
}

Bits leakage_bound_up(const Rational& epsilon, std::uint64_t k) {
  Bits cap = k <= 1 ? Bits{Rational(0), true} : log2_up(Rational(static_cast<unsigned long>(k)));
  if (k <= 1) return cap;
  Rational bound = epsilon_bits_up(epsilon);
  if (bound < cap.value) return {bound, sgn(bound) == 0};
  return cap;
}

Bits combine_leakage_up(const Bits& exact, const Rational& epsilon, std::uint64_t k) {
  Bits cap = k <= 1 ? Bits{Rational(0), true} : log2_up(Rational(static_cast<unsigned long>(k)));
  if (sgn(epsilon) <= 0) return exact.value < cap.value ? exact : cap;
  Rational total = exact.value + epsilon_bits_up(epsilon);
  if (total < cap.value) return {total, false};
  return cap;
}

std::pair<Rational, Rational> rr_keep_interval(const Rational& epsilon, std::uint64_t k) {
  if (k <= 1) return {Rational(1), Rational(1)};
  // keep = 1 / (1 + (k − 1)/e^ε), increasing in e^ε.
  auto keep = [&](mpfr_rnd_t dir, mpfr_rnd_t opposite) {
    Mpfr t, r;
    exp_into(t, epsilon, dir);
    mpfr_set_ui(r.get(), static_cast<unsigned long>(k - 1), opposite);
    mpfr_div(r.get(), r.get(), t.get(), opposite);
    mpfr_add_ui(r.get(), r.get(), 1, opposite);
    mpfr_ui_div(r.get(), 1, r.get(), dir);
    return r.to_rational();
  };
  Rational lo = keep(MPFR_RNDD, MPFR_RNDU), hi = keep(MPFR_RNDU, MPFR_RNDD);
  // Shorten to 12 significant digits, outwards, so exact arithmetic on them stays cheap.
  Rational lo_short = *parse_number(format_down(lo, 12));
  Rational hi_short = *parse_number(format_up(hi, 12));
  return {lo_short, min1(hi_short)};
}

Rational rr_capacity_up(const Rational& epsilon, std::uint64_t k) {
  if (k <= 1) return Rational(1);
  // k e^ε / (e^ε + k − 1) = k / (1 + (k − 1)/e^ε): increasing in e^ε.
  Mpfr t, r;
  exp_into(t, epsilon, MPFR_RNDU);
  mpfr_set_ui(r.get(), static_cast<unsigned long>(k - 1), MPFR_RNDD);
  mpfr_div(r.get(), r.get(), t.get(), MPFR_RNDD);
  mpfr_add_ui(r.get(), r.get(), 1, MPFR_RNDD);
  mpfr_ui_div(r.get(), static_cast<unsigned long>(k), r.get(), MPFR_RNDU);
  Rational q = r.to_rational();
  return std::min(q, Rational(static_cast<unsigned long>(k)));
}

}  // namespace privflow::inference
