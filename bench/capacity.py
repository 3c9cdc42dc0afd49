"""The capacity model of docs/capacity.md: from the CPU per code refresh, per scan and per console page measured on
this machine (docs/performance.md), the server and database cores Fujian's morning peak needs, and what refusing ten
times that peak costs. Prints the table as Markdown; `--write` puts it into docs/capacity.md (between its markers) and
draws docs/capacity.png.

    .venv/bin/python -m bench.capacity [--write]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "capacity.md"
PLOT = ROOT / "docs" / "capacity.png"
BEGIN, END = "<!-- capacity table: python -m bench.capacity --write -->", "<!-- end of capacity table -->"


@dataclass(frozen=True)
class Measured:
    """CPU per request on this machine, ms (user + system; the server process, and the PostgreSQL backends serving it).
    Each figure from docs/performance.md, the section named in the comment."""

    # "The refresh after the QR" (PostgreSQL, issued, `--fresh`: 1.702 ms); its database's CPU: "Capacity inputs"
    refresh_server_ms: float = 1.70
    refresh_db_ms: float = 0.48
    # "Capacity inputs": GET /citizen/code, the page a resident opens (a code issued and the HTML page; 4.7–6.6 ms)
    page_open_server_ms: float = 5.0
    page_open_db_ms: float = 0.6
    # "A scan in one round trip (issue 13)": PostgreSQL after, direct connection with prepared statements
    scan_server_ms: float = 1.43
    scan_db_ms: float = 0.63
    # "Capacity inputs": 扫码记录 page (/gov/records, in-process, PostgreSQL, minus TestClient's own /healthz)
    console_server_ms: float = 16.5
    console_db_ms: float = 1.3
    # "Morning rush (issue 13)": the whole HTTP round trip of a 503 costs the process 0.1–0.4 ms
    refusal_ms: tuple[float, float, float] = (0.1, 0.25, 0.4)
    # "The refresh after the QR": GET /healthz, the trivial request, for scale
    healthz_ms: float = 0.14


# Behind PgBouncer 1.18 in transaction mode, without prepared statements (`prepare_threshold=none`), the long statements
# as functions ("Behind PgBouncer (issue 13)", 2026-12-06: scan 1.13 / 1.15 ms, refresh issued 1.76 / 1.64 ms, the
# database's CPU with PgBouncer's own). Opening the code page was not measured behind PgBouncer: its database's CPU is
# taken as the refresh's times the page's direct ratio (0.6 / 0.48).
BEHIND_PGBOUNCER = replace(Measured(), scan_server_ms=1.13, scan_db_ms=1.15, refresh_server_ms=1.76,
                           refresh_db_ms=1.64, page_open_db_ms=2.05)
# The same without the functions (every statement planned on every execution): scan 1.54 / 4.06 ms, refresh 1.87 /
# 3.02 ms; the page opening scaled the same way.
NO_FUNCTIONS = replace(Measured(), scan_server_ms=1.54, scan_db_ms=4.06, refresh_server_ms=1.87, refresh_db_ms=3.02,
                       page_open_db_ms=3.8)


@dataclass(frozen=True)
class Scenario:
    """The assumptions of one row of the table."""

    label: str
    open_share: float  # share of residents with the code page open at the peak
    scans_per_s: float  # scans a second at the peak, province-wide (Xi'an's design figure: 20,000 = 1.2 million/min)
    residents: float = 41.5e6  # Fujian
    code_ttl_s: float = 60  # SPEC §6 / config.code_ttl_seconds: exp − iat, default 60 s
    refresh_margin_s: float = 10  # citizen/portal.py REFRESH_MARGIN_SECONDS: the page refreshes 10 s before expiry
    page_opens_per_scan: float = 1.0  # a resident opens the code page before each scan (none kept open from home)
    console_pages_per_s: float = 500  # e.g. 10,000 unit admins at work at 8:00, one page each 20 s
    utilisation: float = 0.6  # target CPU utilisation at the peak (40% headroom)
    overload: float = 10  # the rush Xi'an saw: ten times the usual peak
    measured: Measured = Measured()

    @property
    def refresh_interval_s(self) -> float:
        """Seconds between two refreshes of an open page. Longer than half the code's lifetime, so every timed
        refresh issues a new code (a code is shown again only within half its lifetime: docs/decisions.md)."""
        return self.code_ttl_s - self.refresh_margin_s


@dataclass(frozen=True)
class Capacity:
    """Requests a second and the cores they need at the target utilisation, per kind of work."""

    rates: dict[str, float]  # "code" (timed refreshes + page opens), "scan", "console": requests a second
    server: dict[str, float]  # cores of the web servers
    database: dict[str, float]  # cores of PostgreSQL
    refusal_cores: tuple[float, float, float]  # server cores to refuse (overload − 1) × the peak's requests, low–high
    absorbed: tuple[float, float, float]  # the overload (× the peak) whose excess the headroom refuses, by that cost

    @property
    def server_total(self) -> float:
        return sum(self.server.values())

    @property
    def database_total(self) -> float:
        return sum(self.database.values())


def capacity(s: Scenario) -> Capacity:
    m = s.measured
    refreshes = s.residents * s.open_share / s.refresh_interval_s
    opens = s.scans_per_s * s.page_opens_per_scan
    busy = {  # CPU-seconds a second, i.e. cores at 100%
        "code": (refreshes * m.refresh_server_ms + opens * m.page_open_server_ms,
                 refreshes * m.refresh_db_ms + opens * m.page_open_db_ms),
        "scan": (s.scans_per_s * m.scan_server_ms, s.scans_per_s * m.scan_db_ms),
        "console": (s.console_pages_per_s * m.console_server_ms, s.console_pages_per_s * m.console_db_ms),
    }
    rates = {"code": refreshes + opens, "scan": s.scans_per_s, "console": s.console_pages_per_s}
    peak = sum(rates.values())
    refused = (s.overload - 1) * peak  # a refusal never reaches the database
    low, mid, high = (refused * ms / 1000 for ms in m.refusal_ms)
    server = {kind: cpu / 1000 / s.utilisation for kind, (cpu, _) in busy.items()}
    headroom = sum(server.values()) * (1 - s.utilisation)  # cores idle at the peak
    cheap, usual, dear = (1 + headroom / (peak * ms / 1000) for ms in m.refusal_ms)
    return Capacity(rates, server, {kind: db / 1000 / s.utilisation for kind, (_, db) in busy.items()},
                    (low, mid, high), (cheap, usual, dear))


SCENARIOS = (
    Scenario("A: 5% open, 5k scans/s", 0.05, 5_000),
    Scenario("B: 10% open, 5k scans/s", 0.10, 5_000),
    Scenario("C: 10% open, 20k scans/s (Xi'an's design)", 0.10, 20_000),
    Scenario("D: 20% open, 20k scans/s", 0.20, 20_000),
    Scenario("E: as C, behind PgBouncer 1.18 (long statements as functions)", 0.10, 20_000, measured=BEHIND_PGBOUNCER),
    Scenario("F: as E, without the functions", 0.10, 20_000, measured=NO_FUNCTIONS),
)


def table(scenarios: tuple[Scenario, ...] = SCENARIOS) -> str:
    head = ("| scenario | code requests/s | server cores: code / scan / console | database cores: code / scan / "
            "console | total: server + database | 10× the peak: server cores to refuse 9× (0.1 / 0.25 / 0.4 ms "
            "each) | the overload the headroom refuses (same costs) |\n| --- | --: | --: | --: | --: | --: | --: |")
    rows = [head]
    for s in scenarios:
        c = capacity(s)
        server = " / ".join(f"{c.server[k]:.0f}" for k in ("code", "scan", "console"))
        database = " / ".join(f"{c.database[k]:.0f}" for k in ("code", "scan", "console"))
        total = c.server_total + c.database_total
        refuse = " / ".join(f"{v:.0f}" for v in c.refusal_cores)
        absorbed = " / ".join(f"{v:.1f}×" for v in c.absorbed)
        rows.append(f"| {s.label} | {c.rates['code']:,.0f} | {server} | {database} | "
                    f"**{c.server_total:.0f} + {c.database_total:.0f} = {total:.0f}** | {refuse} | {absorbed} |")
    return "\n".join(rows)


def write_table(text: str, doc: Path = DOC) -> None:
    """Replaces what stands between the markers of docs/capacity.md by the table."""
    page = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(page):
        raise SystemExit(f"{doc}: the markers {BEGIN!r} … {END!r} are missing")
    doc.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", page), encoding="utf-8")


def plot(path: Path = PLOT) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, lines) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.1, 1]})
    _bars(bars)
    _lines(lines)
    fig.suptitle("Fujian's morning peak (41.5 million residents): cores at 60% utilisation, from CPU measured on "
                 "this 2-core machine", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(ax) -> None:  # type: ignore[no-untyped-def]
    labels = [s.label.split(":")[0] for s in SCENARIOS]
    parts = [("server: code", "server", "code", "#1f77b4"), ("server: scan", "server", "scan", "#6baed6"),
             ("server: console", "server", "console", "#c6dbef"), ("database: code", "database", "code", "#d62728"),
             ("database: scan", "database", "scan", "#ff9896"), ("database: console", "database", "console", "#fdd0a2")]
    caps = [capacity(s) for s in SCENARIOS]
    bottom = [0.0] * len(caps)
    for name, side, kind, colour in parts:
        values = [getattr(c, side)[kind] for c in caps]
        ax.bar(labels, values, bottom=bottom, label=name, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    rush = [c.server_total * s.utilisation + c.refusal_cores[1] for s, c in zip(SCENARIOS, caps, strict=True)]
    ax.scatter(labels, rush, marker="_", s=900, linewidths=2, color="black",
               label="server CPU in a 10× rush: the peak served + 9× refused\nat 0.25 ms (compare with the blue)")
    ax.set_ylim(0, max(bottom + rush) * 1.45)
    ax.set_ylabel("cores")
    ax.set_title("The table's scenarios (see docs/capacity.md)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")


def _lines(ax) -> None:  # type: ignore[no-untyped-def]
    shares = [i / 100 for i in range(0, 31)]
    for scans, style in ((5_000, "--"), (20_000, "-")):
        caps = [capacity(Scenario("", share, scans)) for share in shares]
        x = [100 * share for share in shares]
        ax.plot(x, [c.server_total for c in caps], style, color="#1f77b4", label=f"server, {scans:,} scans/s")
        ax.plot(x, [c.database_total for c in caps], style, color="#d62728", label=f"database, {scans:,} scans/s")
    ax.set_xlabel("residents with the code page open at the peak (%)")
    ax.set_ylabel("cores")
    ax.set_title("A refresh every 50 s per open page", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the table into docs/capacity.md and the plot")
    args = parser.parse_args()
    text = table()
    print(text)
    if args.write:
        write_table(text)
        plot()
        print(f"written: {DOC.relative_to(ROOT)}, {PLOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
