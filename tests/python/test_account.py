"""privflow.account against dp_accounting 0.6.0 (data/dp_accounting_reference.json) and against
`privflow account` on the command line (the same case, the same double)."""
import json
import math
from fractions import Fraction

import pytest

import privflow
from privflow import account


def test_the_issues_line_prints_epsilon():
    r = account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=10000, delta=1e-5)
    assert isinstance(r, privflow.Epsilon)
    assert str(r).startswith(f"epsilon = {r.epsilon_text} at delta = 1e-05\nhow: ")
    assert float(r) == r.epsilon


@pytest.mark.parametrize("case", range(3))
def test_against_dp_accounting(reference, case):
    ref = reference["cases"][case]
    args = dict(ref["privflow"])
    kind = args.pop("kind")
    ours = getattr(account, kind)(delta=ref["delta"], **args)
    # Both peers' values are upper bounds: auto takes the smaller of privflow's RDP and PLD, so it
    # is at most dp_accounting's RDP (same orders), and within 1 % of its PLD.
    assert ours.epsilon <= ref["rdp"] * (1 + 1e-9), ours
    assert abs(ours.epsilon - ref["pld"]) <= 0.01 * ref["pld"], ours
    rdp = getattr(account, kind)(delta=ref["delta"], accountant="rdp", **args)
    assert rdp.accountant == "rdp" and rdp.order > 0
    assert abs(rdp.epsilon - ref["rdp"]) <= 1e-3 * ref["rdp"], rdp


def cli_json(cli, *args):
    code, out = cli("account", *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_dpsgd_is_the_command_lines(cli):
    # Strings are read exactly as the command line reads them: the same double comes out.
    ours = account.dpsgd(noise_multiplier="1.1", sampling_rate="0.01", steps=10000, delta="1e-5")
    theirs = cli_json(cli, "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "10000",
                      "--delta", "1e-5")
    # The default tolerance (the float 0.001) is read as the decimal 1/1000, as --tolerance is:
    # the same grids, so the same bits (they differed in the 9th digit when the float was taken
    # as it is, one ulp above 1/1000: the adaptive PLD's next grid step follows the tolerance).
    assert ours.epsilon == theirs["epsilon"]
    assert ours.discretization == theirs["discretization"]
    for delta in ("1e-5", "1e-8"):
        same = account.dpsgd(noise_multiplier="1.1", sampling_rate="0.01", steps=10000, delta=delta, tolerance=0.001)
        program = cli_json(cli, "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "10000",
                           "--delta", delta)
        assert same.epsilon == program["epsilon"], delta
    assert ours.epsilon_text == theirs["epsilon_text"]
    assert ours.how == theirs["how"] and ours.accountant == theirs["accountant"]
    code, text = cli("account", "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "10000",
                     "--delta", "1e-5")
    assert code == 0 and text == str(ours) + "\n"
    # A float is its exact binary value: 1.1 is a hair above the decimal, so ε is a hair below.
    as_float = account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=10000, delta=1e-5)
    assert as_float.epsilon == pytest.approx(theirs["epsilon"], rel=1e-6)


@pytest.mark.parametrize("kind,args,cli_args", [
    ("gaussian", dict(sigma="2", times=10, delta="1e-5"), ["--sigma", "2", "--times", "10", "--delta", "1e-5"]),
    ("laplace", dict(scale="3", sensitivity="2", times=5, delta="0"),
     ["--scale", "3", "--sensitivity", "2", "--times", "5", "--delta", "0"]),
    ("randomized_response", dict(keep="0.75", values=4, times=3, delta="1e-6"),
     ["--keep", "0.75", "--values", "4", "--times", "3", "--delta", "1e-6"]),
    ("discrete_gaussian", dict(sigma="3", sensitivity=2, times=4, delta="1e-6"),
     ["--sigma", "3", "--sensitivity", "2", "--times", "4", "--delta", "1e-6"]),
    ("shuffle", dict(local_epsilon="2", senders=10000, delta="1e-6"),
     ["--local-epsilon", "2", "--senders", "10000", "--delta", "1e-6"]),
    ("zcdp", dict(rho="0.5", delta="1e-5"), ["--rho", "0.5", "--delta", "1e-5"]),
    ("sparse_vector", dict(epsilon="0.5", answers=3, times=4, delta="0"),
     ["--epsilon", "0.5", "--answers", "3", "--times", "4", "--delta", "0"]),
    ("report_noisy_max", dict(epsilon="0.25", times=8, delta="1e-6"),
     ["--epsilon", "0.25", "--times", "8", "--delta", "1e-6"]),
    ("top_k", dict(epsilon="0.1", k=5, times=2, delta="1e-6"), ["--epsilon", "0.1", "--k", "5", "--times", "2",
                                                                 "--delta", "1e-6"]),
    ("tree_aggregation", dict(noise_multiplier="4", steps=1000, epochs=2, delta="1e-5"),
     ["--noise-multiplier", "4", "--steps", "1000", "--epochs", "2", "--delta", "1e-5"]),
    ("matrix_factorization", dict(noise_multiplier="3", coefficients=["1", "0.5", "0.25"], steps=100, epochs=2,
                                  min_separation=10, delta="1e-5"),
     ["--noise-multiplier", "3", "--coefficients", "1,0.5,0.25", "--steps", "100", "--epochs", "2",
      "--min-separation", "10", "--delta", "1e-5"]),
])
def test_every_kind_is_the_command_lines(cli, kind, args, cli_args):
    ours = getattr(account, kind)(**args)
    theirs = cli_json(cli, kind.replace("_", "-"), *cli_args)
    assert ours.epsilon == theirs["epsilon"], (ours, theirs)
    assert ours.epsilon_text == theirs["epsilon_text"]
    assert ours.exact == theirs.get("epsilon_exact")
    for key in ("mu", "rho"):
        if key in theirs:
            assert dict(ours.figures)[key].split()[0] == repr(theirs[key])


def test_attack_bounds_are_the_command_lines(cli):
    ours = account.gaussian(sigma="4", times=3, delta="1e-5", tpr_at_fpr="0.01", reconstruction_prior="0.001")
    theirs = cli_json(cli, "gaussian", "--sigma", "4", "--times", "3", "--delta", "1e-5", "--tpr-at-fpr", "0.01",
                      "--reconstruction-prior", "0.001")
    membership, reconstruction = ours.attacks
    assert membership.kind == "membership" and membership.tpr == theirs["membership"]["tpr"]
    assert reconstruction.kind == "reconstruction" and reconstruction.tpr == theirs["reconstruction"]["tpr"]
    assert reconstruction.curve == theirs["reconstruction"]["curve"]
    assert 0.01 <= membership.tpr <= 1


def test_calibration_returns_the_noise_that_meets_the_target(cli):
    cal = account.dpsgd(epsilon=2, sampling_rate=0.01, steps=1000, delta=1e-5)
    assert isinstance(cal, privflow.Calibration) and cal.parameter == "noise_multiplier"
    assert cal.achieved.epsilon <= 2
    check = account.dpsgd(noise_multiplier=cal.noise_multiplier, sampling_rate=0.01, steps=1000, delta=1e-5)
    assert check.epsilon <= 2
    theirs = cli_json(cli, "dpsgd", "--epsilon", "2", "--sampling-rate", "0.01", "--steps", "1000", "--delta", "1e-5")
    assert cal.noise_multiplier == theirs["noise_multiplier"]
    sigma = account.gaussian(epsilon=1, delta=1e-5, sensitivity=2)
    assert sigma.parameter == "sigma" and account.gaussian(sigma=sigma.sigma, sensitivity=2, delta=1e-5).epsilon <= 1
    with pytest.raises(AttributeError):
        sigma.noise_multiplier


def test_numbers_are_read_exactly_and_rounded_the_safe_way():
    # ε = 1/3 exactly, three times: 1 exactly (basic composition).
    r = account.laplace(epsilon=Fraction(1, 3), times=3)
    assert r.exact == "1" and r.epsilon >= 1
    assert account.laplace(epsilon="1/3", times=3).exact == "1"
    assert account.laplace(epsilon="1_000/3000", times=3).exact == "1"


@pytest.mark.parametrize("call,message", [
    (lambda: account.dpsgd(noise_multiplier=1.1, sampling_rate=1.5, steps=10, delta=1e-5), "sampling_rate"),
    (lambda: account.dpsgd(noise_multiplier=1.1, sampling_rate=0.1, steps=0, delta=1e-5), "steps"),
    (lambda: account.dpsgd(noise_multiplier=1.1, sampling_rate=0.1, steps=10, delta=1), "delta"),
    (lambda: account.dpsgd(noise_multiplier=-1, sampling_rate=0.1, steps=10, delta=1e-5), "noise_multiplier"),
    (lambda: account.dpsgd(noise_multiplier=1, epsilon=1, sampling_rate=0.1, steps=10, delta=1e-5), "exactly one"),
    (lambda: account.dpsgd(noise_multiplier=1, sampling_rate=0.1, steps=10, delta=1e-5, accountant="x"),
     "accountant"),
    (lambda: account.dpsgd(noise_multiplier=1, sampling_rate=0.1, steps=10, delta=1e-5, neighbouring="x"),
     "neighbouring"),
    (lambda: account.gaussian(sigma="abc", delta=1e-5), "sigma"),
    (lambda: account.gaussian(sigma=math.nan, delta=1e-5), "sigma"),
    (lambda: account.laplace(epsilon=1, scale=2), "exactly one"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_bool_is_not_a_number():
    with pytest.raises(TypeError, match="steps"):
        account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=True, delta=1e-5)


@pytest.mark.parametrize("kind,args,cli_args", [
    ("rappor", dict(f="0.5", p="0.5", q="0.75", hashes=2, times=3, reports=10000),
     ["--f", "0.5", "--p", "0.5", "--q", "0.75", "--hashes", "2", "--times", "3", "--reports", "10000"]),
    ("unary_encoding", dict(epsilon="1", variant="sue", reports=1000), ["--epsilon", "1", "--variant", "sue",
                                                                        "--reports", "1000"]),
    ("unary_encoding", dict(p="0.25", q="0.5", times=2), ["--p", "0.25", "--q", "0.5", "--times", "2"]),
    ("local_hashing", dict(epsilon="2", reports=5000), ["--epsilon", "2", "--reports", "5000"]),
    ("hadamard", dict(epsilon="1.5", times=4), ["--epsilon", "1.5", "--times", "4"]),
    ("count_mean_sketch", dict(epsilon="4", width=1024, hashes=16, reports=100000),
     ["--epsilon", "4", "--width", "1024", "--hashes", "16", "--reports", "100000"]),
])
def test_local_randomizers_are_the_command_lines(cli, kind, args, cli_args):
    ours = getattr(account, kind)(**args)
    theirs = cli_json(cli, kind.replace("_", "-"), *cli_args)
    assert ours.epsilon == theirs["epsilon"] and ours.epsilon_text == theirs["epsilon_text"]
    assert ours.epsilon_one_report == theirs["epsilon_one_report"] and ours.times == theirs["times"]
    assert ours.epsilon_permanent == theirs.get("epsilon_permanent")
    assert ours.variance == theirs.get("variance")
    code, text = cli("account", kind.replace("_", "-"), *cli_args)
    assert code == 0 and text == str(ours) + "\n"


def test_reconstruction_on_replace_keeps_the_replace_one_curve(cli):
    args = dict(noise_multiplier="1.1", sampling_rate="0.01", steps=100, delta="1e-5", reconstruction_prior="0.1")
    added = account.dpsgd(**args).attacks[0]
    replaced = account.dpsgd(neighbouring="replace", **args).attacks[0]
    theirs = cli_json(cli, "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "100",
                      "--delta", "1e-5", "--reconstruction-prior", "0.1", "--neighbouring", "replace")
    assert added.curve == "add/remove" and replaced.curve == "replace-one"
    assert replaced.tpr == theirs["reconstruction"]["tpr"] and replaced.curve == theirs["reconstruction"]["curve"]
    assert added.tpr < replaced.tpr
