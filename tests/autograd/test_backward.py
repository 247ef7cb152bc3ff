"""``backward()``: known graphs, accumulation, a 1,000,000-node chain and freeing by reference counting."""

import gc
import math
import subprocess
import sys
import textwrap
import weakref

import pytest

from autograd import Value, backward, numerical_grad, topological_order


def micrograd_readme(a, b):
    # The expression of micrograd's README, verbatim apart from the inputs.
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_micrograd_readme_expression():
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_readme(a, b)
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"
    assert (a.grad, b.grad) == pytest.approx(numerical_grad(micrograd_readme, [-4.0, 2.0]), rel=1e-6)


def test_reused_node():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert c.data == 12.0 and b.grad == 2.0 and a.grad == 4.0


def test_diamond():
    # x feeds two branches that meet again: dz/dx = d(u*v)/dx = v*2 + u*cos(x)
    x = Value(0.7)
    u = x * 2
    v = x.sin()
    z = u * v
    z.backward()
    assert x.grad == pytest.approx(2 * math.sin(0.7) + 1.4 * math.cos(0.7), rel=1e-15)
    order = topological_order(z)
    assert order.count(x) == 1 and order[-1] is z and order.index(x) < order.index(u)


def test_lecture_tanh_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert round(o.data, 4) == 0.7071 and o.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    # do/dn = 1 - o² = 0.5, then by hand: x1.grad = w1 * 0.5, w1.grad = x1 * 0.5 ...
    assert x1.grad == pytest.approx(-1.5, rel=1e-12)
    assert w1.grad == pytest.approx(1.0, rel=1e-12)
    assert x2.grad == pytest.approx(0.5, rel=1e-12)
    assert w2.grad == 0.0
    assert b.grad == pytest.approx(0.5, rel=1e-12)


def test_two_backward_calls_give_exactly_twice_the_leaf_grads():
    x, y = Value(0.3), Value(-1.2)
    z = (x * y).tanh() + x.exp() * y
    interior = z.parents[0]
    z.backward()
    once = (x.grad, y.grad, interior.grad)
    z.backward()
    assert (x.grad, y.grad) == (2 * once[0], 2 * once[1])
    assert interior.grad == once[2]  # interior grads are reset at each call


def test_backward_with_a_gradient_scales():
    x = Value(2.0)
    y = x * x
    y.backward(gradient=0.5)
    assert x.grad == 2.0 and y.grad == 0.5


def test_backward_from_a_leaf():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_argument_errors():
    with pytest.raises(ValueError, match="finite"):
        Value(1.0).backward(math.nan)
    with pytest.raises(TypeError, match="gradient"):
        Value(1.0).backward("1")
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Value(1.0, requires_grad=False) * 2).backward()
    with pytest.raises(TypeError, match="root"):
        topological_order(3.0)
    with pytest.raises(TypeError, match="root"):
        backward(3.0)


def test_topological_order_is_deterministic_and_parents_first():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = (a * b + b).tanh()
    first = [n.label or n.op for n in topological_order(out)]
    assert first == [n.label or n.op for n in topological_order(out)]
    assert first[:2] == ["a", "b"] and first[-1] == "tanh"
    position = {node: i for i, node in enumerate(topological_order(out))}
    assert all(position[p] < position[n] for n in position for p in n.parents)


def test_million_node_chain_forward_backward_and_drop():
    # In a child process: it needs ~0.3 GB, and a crash while freeing must fail this test, not pytest.
    script = textwrap.dedent(
        """
        from autograd import Value
        x = Value(0.5, label="x")
        v = x
        for _ in range(1_000_000):
            v = -v
        v.backward()
        assert v.data == 0.5 and x.grad == 1.0, (v.data, x.grad)
        del v  # frees a million nested nodes by reference counting
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_dropped_graph_is_freed_without_the_garbage_collector():
    gc.disable()
    try:
        x = Value(1.5, label="x")
        w = Value(-0.5, label="w")
        h = (x * w + 1).tanh()
        out = h * h + h.exp()
        out.backward()
        interior = [weakref.ref(n) for n in topological_order(out) if n.parents]
        assert len(interior) >= 5 and all(r() is not None for r in interior)
        del h, out
        assert [r() for r in interior] == [None] * len(interior)
        assert x.grad != 0.0  # the leaves we still hold keep their gradients
    finally:
        gc.enable()


def test_no_gradient_comes_out_as_negative_zero():
    # ∂(x·(−0.0))/∂x is −0.0 × 1.0 = −0.0; the interior node m and the leaf x both show 0.0
    x = Value(2.0)
    m = x * -0.0
    y = m * 1.0
    y.backward(gradient=-0.0)
    assert [math.copysign(1.0, v.grad) for v in (y, m, x)] == [1.0, 1.0, 1.0]


def test_constants_keep_a_zero_gradient():
    x, c = Value(3.0), Value(5.0, requires_grad=False)
    (x * c + c).backward()
    assert (x.grad, c.grad) == (5.0, 0.0)


def test_order_must_be_a_list_ending_with_the_root():
    x = Value(3.0)
    y = x * x
    for bad in ([x], [], (x, y), "xy"):
        with pytest.raises(ValueError, match="order"):
            backward(y, order=bad)
    assert x.grad == 0.0
    backward(y, order=topological_order(y))
    assert x.grad == 6.0
