"""The benchmark's sizes (no Django import: the command line reads them before setup)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Dataset:
    teams: int
    members: int  # people per team
    customers: int
    contacts: int
    opportunities: int


#: S for a quick try, M the long-standing default, L the size the targets are set for.
DATASETS = {
    "S": Dataset(teams=40, members=10, customers=2_000, contacts=10_000, opportunities=10_000),
    "M": Dataset(teams=200, members=10, customers=20_000, contacts=50_000, opportunities=100_000),
    "L": Dataset(teams=200, members=10, customers=20_000, contacts=100_000, opportunities=200_000),
}
