#include "inference/factored.hpp"
#include "inference/detail/saturating.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace privflow::inference {
namespace {

using Matrix = std::vector<std::vector<Rational>>;  // [input][output]
using detail::kSaturated;
using detail::mul_sat;
// What one field shows (its values × the outputs of its views, dense): beyond, the engine
// refuses and the joint table decides.
constexpr std::uint64_t kMaxLocalCells = 1u << 22;

/// The conditional table of a field as a dense matrix [parent value][value] (one row for a
/// root; an empty table is uniform).
Matrix cpt_of(const NetField& f, std::uint64_t rows) {
  if (!f.cpt.empty()) return f.cpt;
  const Rational u(1, f.size);
  return Matrix(rows, std::vector<Rational>(f.size, u));
}

/// A channel on one field's values as a dense matrix.
Matrix dense(const Channel& ch) {
  Matrix m(ch.inputs(), std::vector<Rational>(ch.outputs(), Rational(0)));
  for (std::uint64_t x = 0; x < ch.inputs(); ++x)
    for (auto& [y, p] : ch.row_rational(x)) m[x][y] = p;
  return m;
}

/// Row-wise tensor product: (A ⊗ B)[x][(i, j)] = A[x][i]·B[x][j].
Matrix tensor_rows(const Matrix& a, const Matrix& b) {
  Matrix out(a.size());
  for (std::size_t x = 0; x < a.size(); ++x) {
    out[x].reserve(a[x].size() * b[x].size());
    for (const auto& p : a[x])
      for (const auto& q : b[x]) out[x].push_back(p * q);
  }
  return out;
}

/// (T · F)[a][y] = Σ_b T[a][b]·F[b][y].
Matrix multiply(const Matrix& t, const Matrix& f) {
  const std::size_t outputs = f.empty() ? 0 : f[0].size();
  Matrix out(t.size(), std::vector<Rational>(outputs, Rational(0)));
  for (std::size_t a = 0; a < t.size(); ++a)
    for (std::size_t b = 0; b < t[a].size(); ++b) {
      if (t[a][b] == 0) continue;
      for (std::size_t y = 0; y < outputs; ++y) out[a][y] += t[a][b] * f[b][y];
    }
  return out;
}

/// The reduced form of a channel: zero columns dropped, proportional columns merged, columns
/// in a canonical order (so that equal channels up to relabelling outputs compare equal).
Matrix reduce(const Matrix& m) {
  const std::size_t rows = m.size();
  const std::size_t cols = rows ? m[0].size() : 0;
  std::map<std::vector<Rational>, Rational> merged;  // column / its sum -> total sum
  for (std::size_t y = 0; y < cols; ++y) {
    Rational sum = 0;
    for (std::size_t x = 0; x < rows; ++x) sum += m[x][y];
    if (sum == 0) continue;
    std::vector<Rational> key(rows);
    for (std::size_t x = 0; x < rows; ++x) key[x] = m[x][y] / sum;
    merged[key] += sum;
  }
  Matrix out(rows);
  for (const auto& [key, sum] : merged)
    for (std::size_t x = 0; x < rows; ++x) out[x].push_back(key[x] * sum);
  return out;
}

/// The exact marginal of every field (parents first; the network is a forest).
std::vector<Distribution> marginals(const BayesNet& net, const std::vector<FieldId>& order) {
  std::vector<Distribution> marg(net.size());
  for (FieldId f : order) {
    const NetField& nf = net.field(f);
    if (nf.parents.empty()) {
      marg[f] = cpt_of(nf, 1)[0];
      continue;
    }
    const FieldId p = nf.parents[0];
    const Matrix t = cpt_of(nf, net.field(p).size);
    marg[f].assign(nf.size, Rational(0));
    for (std::size_t a = 0; a < t.size(); ++a)
      for (std::size_t b = 0; b < nf.size; ++b) marg[f][b] += marg[p][a] * t[a][b];
  }
  return marg;
}

/// Fields in an order where parents come first.
std::vector<FieldId> parents_first(const BayesNet& net) {
  std::vector<std::vector<FieldId>> children(net.size());
  std::vector<FieldId> order;
  for (FieldId f = 0; f < net.size(); ++f) {
    if (net.field(f).parents.empty())
      order.push_back(f);
    else
      children[net.field(f).parents[0]].push_back(f);
  }
  for (std::size_t i = 0; i < order.size(); ++i)
    for (FieldId c : children[order[i]]) order.push_back(c);
  return order;
}

/// P(to | from) for an edge of the tree, in either direction.
Matrix edge_conditional(const BayesNet& net, const std::vector<Distribution>& marg, FieldId from, FieldId to) {
  const NetField& t = net.field(to);
  if (!t.parents.empty() && t.parents[0] == from) return cpt_of(t, net.field(from).size);
  // `to` is the parent of `from`: Bayes' rule, P(to | from) = P(to)·P(from | to) / P(from).
  const NetField& f = net.field(from);
  const Matrix up = cpt_of(f, t.size);
  Matrix out(f.size, std::vector<Rational>(t.size, Rational(0)));
  for (std::uint64_t b = 0; b < f.size; ++b) {
    if (marg[from][b] == 0) {
      out[b].assign(t.size, Rational(1, t.size));  // never happens: any row will do
      continue;
    }
    for (std::uint64_t a = 0; a < t.size; ++a) out[b][a] = marg[to][a] * up[a][b] / marg[from][b];
  }
  return out;
}

/// The tree rooted at the secret: each field's parent on the way to the secret, and the
/// fields in breadth-first order (the secret first; fields of other trees are absent).
struct Rooted {
  std::vector<FieldId> order;
  std::vector<FieldId> toward;  // the neighbour on the way to the secret
};

Rooted root_at(const BayesNet& net, FieldId secret) {
  std::vector<std::vector<FieldId>> adjacent(net.size());
  for (FieldId f = 0; f < net.size(); ++f)
    if (!net.field(f).parents.empty()) {
      adjacent[f].push_back(net.field(f).parents[0]);
      adjacent[net.field(f).parents[0]].push_back(f);
    }
  Rooted r;
  r.toward.assign(net.size(), net.size());
  std::vector<bool> seen(net.size(), false);
  r.order.push_back(secret);
  seen[secret] = true;
  for (std::size_t i = 0; i < r.order.size(); ++i)
    for (FieldId n : adjacent[r.order[i]])
      if (!seen[n]) {
        seen[n] = true;
        r.toward[n] = r.order[i];
        r.order.push_back(n);
      }
  return r;
}

/// The channel of everything seen of each field (several views: tensor product).
Result<std::vector<Matrix>> local_channels(const BayesNet& net, const std::vector<FieldView>& views) {
  std::vector<Matrix> local(net.size());
  for (const auto& v : views) {
    if (v.field >= net.size() || v.channel.inputs() != net.field(v.field).size)
      return Result<std::vector<Matrix>>::failure("a view's channel does not fit its field");
    const std::uint64_t before = local[v.field].empty() ? 1 : local[v.field][0].size();
    if (mul_sat(mul_sat(before, v.channel.outputs()), net.field(v.field).size) > kMaxLocalCells)
      return Result<std::vector<Matrix>>::failure("what is seen of field '" + net.field(v.field).name +
                                                  "' has too many outputs for the factored engine");
    Matrix m = reduce(dense(v.channel));
    local[v.field] = local[v.field].empty() ? std::move(m) : reduce(tensor_rows(local[v.field], m));
  }
  return local;
}


using Scores = ScoreView::Scores;

/// A distribution over score vectors with one denominator: P(k) = num[k] / den. Convolving
/// such distributions multiplies integers only (no gcd per step, as rationals would need).
struct IntDist {
  std::map<Scores, mpz_class> num;
  mpz_class den = 1;
};

/// a·i + b·j, element by element.
Scores combine(const Scores& a, unsigned long i, const Scores& b, unsigned long j) {
  Scores out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k] = a[k] * i + b[k] * j;
  return out;
}

/// The distribution of a + b (independent): false when it passes the limits.
bool convolve(const IntDist& a, const IntDist& b, IntDist& out, std::uint64_t& work, const FactoredLimits& limits) {
  work += a.num.size() * b.num.size();
  if (work > limits.max_score_work) return false;
  IntDist r;
  r.den = a.den * b.den;
  for (const auto& [x, p] : a.num)
    for (const auto& [y, q] : b.num) r.num[combine(x, 1, y, 1)] += p * q;
  if (r.num.size() > limits.max_scores) return false;
  out = std::move(r);
  return true;
}

/// The sum of n independent copies (by squaring).
bool power(IntDist base, std::uint64_t n, IntDist& out, std::uint64_t& work, const FactoredLimits& limits) {
  if (base.num.size() == 2 && n < limits.max_scores) {
    // Two values a < b (a like): k copies at b is binomial, C(n, k)·P_b^k·P_a^(n−k) / den^n.
    const auto& [a, pa] = *base.num.begin();
    const auto& [b, pb] = *base.num.rbegin();
    work += n + 1;
    if (work > limits.max_score_work) return false;
    std::vector<mpz_class> pa_pow(n + 1, 1);  // pa^j
    for (std::uint64_t j = 1; j <= n; ++j) pa_pow[j] = pa_pow[j - 1] * pa;
    IntDist r;
    mpz_class term = 1;  // C(n, k)·pb^k
    for (std::uint64_t k = 0; k <= n; ++k) {
      if (k > 0) term = term * pb * (n - k + 1) / k;
      r.num[combine(a, static_cast<unsigned long>(n - k), b, static_cast<unsigned long>(k))] = term * pa_pow[n - k];
    }
    mpz_pow_ui(r.den.get_mpz_t(), base.den.get_mpz_t(), n);
    out = std::move(r);
    return true;
  }
  IntDist acc;
  acc.num[Scores(base.num.empty() ? 0 : base.num.begin()->first.size(), 0)] = 1;
  while (n > 0) {
    if ((n & 1) && !convolve(acc, base, acc, work, limits)) return false;
    n >>= 1;
    if (n > 0 && !convolve(base, base, base, work, limits)) return false;
  }
  out = std::move(acc);
  return true;
}

/// The branch of the secret's tree each field lies in (its neighbour of the secret; the secret
/// for itself), or, for a field of another tree, net.size() + that tree's root.
std::vector<std::size_t> branches_of(const BayesNet& net, const Rooted& tree, FieldId secret) {
  std::vector<std::size_t> out(net.size(), 0);
  out[secret] = secret;
  for (std::size_t i = 1; i < tree.order.size(); ++i) {
    const FieldId f = tree.order[i];
    out[f] = tree.toward[f] == secret ? f : out[tree.toward[f]];
  }
  for (FieldId f = 0; f < net.size(); ++f) {
    if (f == secret || tree.toward[f] != net.size()) continue;
    FieldId root = f;
    for (std::size_t guard = 0; !net.field(root).parents.empty() && guard < net.size(); ++guard)
      root = net.field(root).parents[0];
    out[f] = net.size() + root;
  }
  return out;
}

/// P(field | secret) as [secret value][field value]: down the tree's edges, or the field's
/// marginal in every row when it lies in another tree.
Matrix conditional_on_secret(const BayesNet& net, const std::vector<Distribution>& marg, const Rooted& tree,
                             FieldId secret, FieldId field) {
  const std::uint64_t k = net.field(secret).size;
  if (field == secret) {
    Matrix id(k, std::vector<Rational>(k, Rational(0)));
    for (std::uint64_t s = 0; s < k; ++s) id[s][s] = 1;
    return id;
  }
  if (tree.toward[field] == net.size()) return Matrix(k, marg[field]);
  std::vector<FieldId> path{field};
  while (path.back() != secret) path.push_back(tree.toward[path.back()]);
  Matrix m = edge_conditional(net, marg, secret, path[path.size() - 2]);
  for (std::size_t i = path.size() - 2; i > 0; --i) m = multiply(m, edge_conditional(net, marg, path[i], path[i - 1]));
  return m;
}

/// One term's distribution in each row: the probability of each of its values given the secret.
using TermRows = std::vector<std::vector<std::pair<Scores, Rational>>>;

TermRows term_rows(const Matrix& cond, const std::vector<Scores>& value) {
  TermRows rows(cond.size());
  for (std::size_t s = 0; s < cond.size(); ++s) {
    std::map<Scores, Rational> by_value;
    for (std::size_t x = 0; x < value.size() && x < cond[s].size(); ++x)
      if (cond[s][x] != 0) by_value[value[x]] += cond[s][x];
    rows[s].assign(by_value.begin(), by_value.end());
  }
  return rows;
}

IntDist to_int_dist(const std::vector<std::pair<Scores, Rational>>& row) {
  IntDist d;
  for (const auto& [v, p] : row) mpz_lcm(d.den.get_mpz_t(), d.den.get_mpz_t(), p.get_den_mpz_t());
  for (const auto& [v, p] : row) d.num[v] = p.get_num() * (d.den / p.get_den());
  return d;
}

/// The channel from the secret to a score view's outputs.
Result<Matrix> score_channel(const BayesNet& net, const std::vector<Distribution>& marg, const Rooted& tree,
                             FieldId secret, const ScoreView& view, const FactoredLimits& limits) {
  using R = Result<Matrix>;
  std::map<TermRows, std::uint64_t> groups;  // equal terms are counted, not repeated
  for (const auto& t : view.terms) {
    if (t.field >= net.size() || t.value.size() != net.field(t.field).size) return R::failure("a score's term does not fit its field");
    for (const auto& v : t.value)
      if (v.size() != view.offset.size()) return R::failure("a score's term does not fit its scores");
    ++groups[term_rows(conditional_on_secret(net, marg, tree, secret, t.field), t.value)];
  }
  const std::uint64_t k = net.field(secret).size;
  std::vector<IntDist> rows(k);
  for (std::uint64_t s = 0; s < k; ++s) {
    rows[s].num[view.offset] = 1;
    std::uint64_t work = 0;
    for (const auto& [term, n] : groups) {
      IntDist copies;
      if (!power(to_int_dist(term[s]), n, copies, work, limits) || !convolve(rows[s], copies, rows[s], work, limits))
        return R::failure("a map's score has too many values for the factored engine");
    }
  }
  std::map<std::uint64_t, std::size_t> column;  // output class -> column
  std::map<Scores, std::uint64_t> output_of;
  for (const auto& row : rows)
    for (const auto& [score, p] : row.num) {
      if (output_of.count(score)) continue;
      auto o = view.output(score);
      if (!o) return R::failure("a map's output could not be evaluated on a score");
      output_of[score] = *o;
      column.emplace(*o, 0);
    }
  std::size_t next = 0;
  for (auto& [o, c] : column) c = next++;
  Matrix m(k, std::vector<Rational>(column.size(), Rational(0)));
  for (std::uint64_t s = 0; s < k; ++s)
    for (const auto& [score, p] : rows[s].num) {
      Rational q(p, rows[s].den);
      q.canonicalize();
      m[s][column[output_of[score]]] += q;
    }
  return m;
}

/// The channels of the score views, after checking that each reads its own branches.
Result<std::vector<Matrix>> score_channels(const BayesNet& net, const std::vector<Distribution>& marg, const Rooted& tree,
                                           FieldId secret, const std::vector<Matrix>& local,
                                           const std::vector<ScoreView>& scores, const FactoredLimits& limits) {
  using R = Result<std::vector<Matrix>>;
  const std::vector<std::size_t> branch = branches_of(net, tree, secret);
  std::vector<bool> taken(2 * net.size(), false);
  for (FieldId f = 0; f < net.size(); ++f)
    if (!local[f].empty() && f != secret) taken[branch[f]] = true;
  std::vector<Matrix> out;
  for (const auto& view : scores) {
    for (const auto& t : view.terms) {
      if (t.field >= net.size()) return R::failure("a score's term does not fit its field");
      if (t.field == secret) continue;  // seen with the secret: independent of the rest given it
      if (taken[branch[t.field]]) return R::failure("a map reads fields that are not independent given the secret");
      taken[branch[t.field]] = true;
    }
    auto m = score_channel(net, marg, tree, secret, view, limits);
    if (!m) return R::failure(m.error());
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace

bool is_forest(const BayesNet& net) {
  for (const auto& f : net.fields())
    if (f.parents.size() > 1) return false;
  return true;
}

Result<FactoredModel> factor(const BayesNet& net, FieldId secret, const std::vector<FieldView>& views,
                             FactoredLimits limits) {
  return factor(net, secret, views, {}, limits);
}

Result<FactoredModel> factor(const BayesNet& net, FieldId secret, const std::vector<FieldView>& views,
                             const std::vector<ScoreView>& scores, FactoredLimits limits) {
  using R = Result<FactoredModel>;
  if (secret >= net.size()) return R::failure("unknown secret field");
  if (!is_forest(net)) return R::failure("a field has more than one parent: not a tree");
  if (auto e = net.check(); !e.empty()) return R::failure(e);
  auto local = local_channels(net, views);
  if (!local) return R::failure(local.error());
  const std::vector<Distribution> marg = marginals(net, parents_first(net));
  const Rooted tree = root_at(net, secret);
  auto scored = score_channels(net, marg, tree, secret, *local, scores, limits);
  if (!scored) return R::failure(scored.error());
  // Outputs seen in each field's subtree (saturating), to refuse a branch before building it.
  std::vector<std::uint64_t> outputs(net.size(), 1);
  for (std::size_t i = tree.order.size(); i-- > 0;) {
    const FieldId f = tree.order[i];
    if (!(*local)[f].empty()) outputs[f] = mul_sat(outputs[f], (*local)[f][0].size());
    if (f != secret) outputs[tree.toward[f]] = mul_sat(outputs[tree.toward[f]], outputs[f]);
  }
  // Message passing from the leaves: F(f)[a][y] = P(seen in f's subtree = y | f = a).
  std::vector<Matrix> seen(net.size());
  std::vector<bool> overflow(net.size(), false);  // the subtree's outputs pass the branch limit
  std::vector<Matrix> branches;                    // channels from the secret, one per branch
  std::vector<bool> replaced;
  for (std::size_t i = tree.order.size(); i-- > 1;) {
    const FieldId f = tree.order[i];
    const FieldId up = tree.toward[f];
    if (!(*local)[f].empty()) seen[f] = seen[f].empty() ? (*local)[f] : tensor_rows(seen[f], (*local)[f]);
    if (seen[f].empty() && !overflow[f]) continue;  // nothing seen below f
    const Matrix t = edge_conditional(net, marg, up, f);
    const std::uint64_t width = std::max(net.field(up).size, net.field(f).size);
    const bool too_large = overflow[f] || mul_sat(outputs[f], width) > limits.max_branch_outputs;
    if (up == secret) {
      // One branch of the secret. Too many joint outputs: bound it by seeing f in the clear
      // (everything below f is post-processing of f, independent of the rest given f).
      branches.push_back(too_large ? t : multiply(t, seen[f]));
      replaced.push_back(too_large);
    } else if (too_large || mul_sat(outputs[up], net.field(up).size) > limits.max_branch_outputs) {
      overflow[up] = true;  // its branch will be replaced: skip the work
    } else {
      Matrix msg = reduce(multiply(t, seen[f]));
      seen[up] = seen[up].empty() ? std::move(msg) : tensor_rows(seen[up], msg);
    }
    seen[f].clear();
  }
  if (!(*local)[secret].empty()) {
    branches.push_back((*local)[secret]);
    replaced.push_back(false);
  }
  for (auto& m : *scored) {
    branches.push_back(std::move(m));
    replaced.push_back(false);
  }
  // Group equal reduced channels; a channel with one output tells nothing.
  std::map<std::pair<bool, Matrix>, std::uint64_t> count;
  for (std::size_t b = 0; b < branches.size(); ++b) {
    Matrix m = reduce(branches[b]);
    if (!m.empty() && m[0].size() > 1) ++count[{replaced[b], std::move(m)}];
  }
  std::vector<ChannelGroup> groups;
  for (auto& [key, n] : count) groups.push_back(ChannelGroup{key.second, n, key.first});
  return FactoredModel(marg[secret], std::move(groups), limits);
}

}  // namespace privflow::inference
