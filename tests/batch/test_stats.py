"""Proportion intervals and the bounded streaming distribution used by batch runs."""

from __future__ import annotations

import random

import pytest

from sim.batch.stats import Distribution, newcombe, wilson


def test_wilson_matches_published_values() -> None:
    """Wilson's interval for 81/263 is 0.2553..0.3662 (Newcombe 1998, table I)."""
    lo, hi = wilson(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4)
    assert hi == pytest.approx(0.3662, abs=1e-4)


def test_wilson_stays_inside_zero_one_at_the_extremes() -> None:
    """No outcome seen still gives a positive upper bound; all seen a lower bound below 1."""
    assert wilson(0, 50)[0] == 0.0 and 0 < wilson(0, 50)[1] < 0.1
    assert 0.9 < wilson(50, 50)[0] < 1.0 and wilson(50, 50)[1] == 1.0


def test_newcombe_matches_published_example() -> None:
    """56/70 - 48/80 has the hybrid score interval 0.0524..0.3339 (Newcombe 1998, method 10)."""
    lo, hi = newcombe(56, 70, 48, 80)
    assert lo == pytest.approx(0.0524, abs=1e-4)
    assert hi == pytest.approx(0.3339, abs=1e-4)


def test_distribution_is_exact_for_few_distinct_values() -> None:
    """Stepwise indicator values give exact nearest-rank quantiles and mean."""
    d = Distribution(0, 100)
    for x in [10.0] * 5 + [20.0] * 90 + [90.0] * 5:
        d.add(x)
    assert (d.quantile(0.05), d.quantile(0.5), d.quantile(0.95)) == (10.0, 20.0, 20.0)
    assert d.quantile(0.96) == 90.0
    assert d.mean == pytest.approx(23.0)


def test_distribution_switches_to_a_bounded_histogram() -> None:
    """Past max_distinct values memory stays fixed and quantiles stay within one bin width."""
    rng = random.Random(4)
    xs = [rng.uniform(0, 100) for _ in range(20_000)]
    d = Distribution(0, 100, max_distinct=1000, bins=2000)
    for x in xs:
        d.add(x)
    assert d.exact is None and d.counts is not None and len(d.counts) == 2000
    exact = sorted(xs)
    for q in (0.05, 0.5, 0.95):
        assert d.quantile(q) == pytest.approx(exact[int(q * len(xs)) - 1], abs=0.05 + 1e-9)


def test_distribution_quantiles_do_not_depend_on_arrival_order() -> None:
    """The same values in another order give the same quantiles, before and after the switch."""
    rng = random.Random(5)
    xs = [round(rng.uniform(0, 100), 1) for _ in range(3000)]
    a, b = Distribution(0, 100, max_distinct=500), Distribution(0, 100, max_distinct=500)
    for x in xs:
        a.add(x)
    for x in reversed(xs):
        b.add(x)
    assert [a.quantile(q) for q in (0.05, 0.95)] == [b.quantile(q) for q in (0.05, 0.95)]
