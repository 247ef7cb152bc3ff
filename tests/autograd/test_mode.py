"""no_grad / enable_grad (thread-local, context managers and decorators), constants, detect_anomaly."""

import math
import threading

import pytest

from autograd import Value, detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3).tanh()
    assert is_grad_enabled()
    assert y.parents == () and y.op == "" and not y.requires_grad
    assert y.data == pytest.approx(math.tanh(6.0))
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_no_grad_as_a_decorator():
    @no_grad()
    def step(v):
        return v * v, is_grad_enabled()

    y, enabled = step(Value(3.0))
    assert not enabled and y.parents == () and is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            y = x * x
        z = x * x
        assert not is_grad_enabled()
    assert y.parents == (x, x) and z.parents == ()
    y.backward()
    assert x.grad == 4.0


def test_enable_grad_as_a_decorator_and_restoring_after_an_exception():
    @enable_grad()
    def inner():
        return is_grad_enabled()

    with no_grad():
        assert inner() is True
        assert not is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            _ = Value(1.0) / 0
    assert is_grad_enabled()


def test_no_grad_is_thread_local():
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def worker():
        with no_grad():
            inside.set()
            checked.wait(timeout=10)
            seen["worker_enabled"] = is_grad_enabled()
            seen["worker_parents"] = (Value(1.0) * Value(2.0)).parents

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(timeout=10)
    # The worker is inside no_grad right now; this thread still records.
    seen["main_enabled"] = is_grad_enabled()
    a = Value(1.0)
    seen["main_parents"] = (a * 2).parents
    checked.set()
    thread.join(timeout=10)
    assert seen["main_enabled"] is True and seen["main_parents"][0] is a
    assert seen["worker_enabled"] is False and seen["worker_parents"] == ()


def test_constants_get_no_gradient():
    x = Value(3.0)
    c = Value(5.0, requires_grad=False)
    y = x * c + 2
    two = y.parents[1]
    assert not two.requires_grad and two.data == 2.0
    y.backward()
    assert x.grad == 5.0 and c.grad == 0.0 and two.grad == 0.0
    only_constants = c * 2
    assert only_constants.parents == () and not only_constants.requires_grad


def test_detect_anomaly_forward_names_the_op():
    x = Value(1000.0, label="big")
    with detect_anomaly():
        assert is_anomaly_enabled()
        with pytest.raises(FloatingPointError, match="exp") as raised:
            x.exp()
    assert "big" in str(raised.value) and "forward" in str(raised.value)
    assert not is_anomaly_enabled()
    assert x.exp().data == math.inf  # outside: inf, no exception


def test_detect_anomaly_backward_names_the_op():
    x = Value(0.0, label="x")
    y = x.sqrt()  # finite forward (0), infinite slope
    with pytest.raises(FloatingPointError, match="sqrt") as raised:
        with detect_anomaly():
            y.backward()
    message = str(raised.value)
    assert "backward" in message and "x=" in message and "inf" in message


def test_detect_anomaly_as_a_decorator_and_is_thread_local():
    seen = {}

    @detect_anomaly()
    def run():
        worker = threading.Thread(target=lambda: seen.setdefault("worker", is_anomaly_enabled()))
        worker.start()
        worker.join()
        return is_anomaly_enabled()

    assert run() is True and seen["worker"] is False


def test_one_instance_entered_twice_restores_the_outer_state():
    # A decorated function that recurses enters the same instance again before it exits.
    @no_grad()
    def countdown(n):
        return is_grad_enabled() if n == 0 else countdown(n - 1)

    assert countdown(3) is False
    assert is_grad_enabled()
    switch = no_grad()
    with switch:
        with switch:
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @detect_anomaly()
    def nested(n):
        return is_anomaly_enabled() if n == 0 else nested(n - 1)

    assert nested(2) is True and not is_anomaly_enabled()


def test_a_decorated_function_in_two_threads_restores_each_threads_state():
    # Thread "a" calls the decorated function inside no_grad, thread "b" outside it; their
    # calls overlap, so one shared saved state would hand one thread the other's.
    entered, release, after = threading.Barrier(2), threading.Event(), {}

    @enable_grad()
    def work():
        entered.wait()
        release.wait()

    def run(name, disabled):
        if disabled:
            with no_grad():
                work()
                after[name] = is_grad_enabled()
        else:
            work()
            after[name] = is_grad_enabled()

    threads = [threading.Thread(target=run, args=("a", True)), threading.Thread(target=run, args=("b", False))]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    assert after == {"a": False, "b": True}
