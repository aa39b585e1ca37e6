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

}  // namespace

bool is_forest(const BayesNet& net) {
  for (const auto& f : net.fields())
    if (f.parents.size() > 1) return false;
  return true;
}

Result<FactoredModel> factor(const BayesNet& net, FieldId secret, const std::vector<FieldView>& views,
                             FactoredLimits limits) {
  using R = Result<FactoredModel>;
  if (secret >= net.size()) return R::failure("unknown secret field");
  if (!is_forest(net)) return R::failure("a field has more than one parent: not a tree");
  if (auto e = net.check(); !e.empty()) return R::failure(e);
  auto local = local_channels(net, views);
  if (!local) return R::failure(local.error());
  const std::vector<Distribution> marg = marginals(net, parents_first(net));
  const Rooted tree = root_at(net, secret);
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
