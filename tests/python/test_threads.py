"""No global state: analyses and accountants run in two threads at once, with the GIL released."""
import threading
import time

import privflow
from conftest import example


def run_in_threads(*calls):
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            results[i] = call()
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_two_threads_give_what_one_gives():
    path = example("rr_survey.pflow")
    serial_check = privflow.check(path)
    serial_eps = privflow.account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=5000, delta=1e-5)
    for _ in range(3):
        a, b, c, d = run_in_threads(
            lambda: privflow.check(path),
            lambda: privflow.check(path),
            lambda: privflow.account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=5000, delta=1e-5),
            lambda: privflow.diagram(path))
        assert a.text == b.text == serial_check.text and a.json == serial_check.json
        assert c.epsilon == serial_eps.epsilon
        assert "<svg" in d


def test_one_accountant_shared_by_two_threads():
    acc = privflow.Accountant()
    step = privflow.events.PoissonSampled(0.01, privflow.events.Gaussian(1.1))

    def train(n):
        for i in range(n):
            acc.compose(step)
            if i % 250 == 0:
                acc.get_epsilon(1e-5)
        return n

    run_in_threads(lambda: train(1000), lambda: train(1000))
    assert acc.get_epsilon(1e-5) == privflow.account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=2000,
                                                           delta=1e-5).epsilon


def test_the_gil_is_released_while_privflow_computes():
    # The flagship example's analysis runs for seconds in C++ (its fix searches); if it held the
    # GIL, this thread would stall for all of it. It keeps running: the longest pause is a
    # fraction of the call.
    done = threading.Event()
    span = {}
    path = example("hospital_fl.pflow")

    def calibrate():
        start = time.monotonic()
        privflow.check(path)
        span["seconds"] = time.monotonic() - start
        done.set()

    worker = threading.Thread(target=calibrate)
    last, longest = time.monotonic(), 0.0
    worker.start()
    while not done.is_set():
        now = time.monotonic()
        longest, last = max(longest, now - last), now
        time.sleep(0.001)
    worker.join()
    assert span["seconds"] > 0.2, "the call is too short to tell"
    assert longest < span["seconds"] / 2, (longest, span["seconds"])
