"""A progress bar over a long job's steps (tqdm), or nothing."""

from __future__ import annotations


class Steps:
    """Counts a job's steps on a tqdm bar when enabled; does nothing otherwise.

    ``enabled`` is also the choice for the bars of the bootstraps run within the job
    (:func:`~efficacy.coefficients.alpha_family._bootstrap.bootstrap_progress`).

    Examples
    --------
    >>> steps = Steps(total=2, enabled=False)
    >>> steps.step("first"); steps.close()
    """

    def __init__(self, total: int, enabled: bool, desc: str = "efficacy report") -> None:
        self.enabled = enabled
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="step", leave=False)

    def step(self, text: str) -> None:
        """One step done; ``text`` names it on the bar."""
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()
