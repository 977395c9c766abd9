"""BG/NBD: how many purchases a customer will make, and the chance they are still a customer.

Fader, Hardie and Lee, "Counting Your Customers the Easy Way" (Marketing Science, 2005). Each
customer is summarised by ``x`` (repeat purchases), ``t_x`` (age at the last purchase) and
``T`` (age now), all in one time unit. While alive, a customer buys at a Poisson rate drawn
from Gamma(r, alpha); after each purchase they drop out with a probability drawn from
Beta(a, b). The four parameters are fitted by maximum likelihood (equation 6 of the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

__all__ = ["BgNbdParameters", "fit_bgnbd"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParameters:
    r: float
    alpha: float
    a: float
    b: float

    def p_alive(self, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """P(alive | x, t_x, T): one for a customer who never bought again (equation 11)."""
        ratio = self._dropout_odds(x, t_x, T)
        return np.asarray(1.0 / (1.0 + ratio), dtype=np.float64)

    def expected_purchases(self, t: float, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """E[purchases in (T, T + t] | x, t_x, T] (equation 10)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        head = (a + b + x - 1) / (a - 1)
        z = t / (alpha + T + t)
        tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        return np.asarray(head * tail / (1.0 + self._dropout_odds(x, t_x, T)), dtype=np.float64)

    def _dropout_odds(self, x: Floats, t_x: Floats, T: Floats) -> Floats:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return np.where(x > 0, odds, 0.0)


def _negative_log_likelihood(log_params: Floats, x: Floats, t_x: Floats, T: Floats) -> float:
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            repeat,
            np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return float(-np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def fit_bgnbd(x: Floats, t_x: Floats, T: Floats) -> BgNbdParameters:
    """Maximum-likelihood parameters; fitted on their logarithms so they stay positive."""
    result = minimize(
        _negative_log_likelihood,
        x0=np.zeros(4),
        args=(x, t_x, T),
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000},
    )
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BgNbdParameters(r=r, alpha=alpha, a=a, b=b)
