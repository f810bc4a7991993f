"""Staffing one department's teams for the drawn institutions (rule 2 of the draw).

The rules make a b-matching, solved as a maximum flow::

    source ──team_size──▶ institution ──1──▶ eligible inspector ──max_load──▶ sink

An inspector is *eligible* for an institution unless the institution is in their ``avoid``
list or, with ``avoid_own_district``, lies in their own district; the unit capacity of the
middle edges keeps the inspectors of a team distinct. All institutions are staffed exactly
when the maximum flow reaches ``team_size × institutions``, so the steps below find an
assignment whenever one exists:

1. **Counting checks**, which give the clearest message when they fail: an institution with
   fewer eligible inspectors than ``team_size``; fewer places in all (``inspectors ×
   max_load``) than the teams need.
2. **Random greedy pass.** Institutions in random order; each place on a team goes to an
   inspector drawn uniformly among those eligible, not yet on the team and below
   ``max_load`` (random probes first, a scan when the probes keep missing). This is where
   the randomness of the assignment comes from; it is not uniform over every valid
   assignment (sampling that exactly is intractable in general), but every choice is
   uniform among the inspectors who could take the place at that moment.
3. **Augmenting paths** for the places the greedy pass left empty: a breadth-first search in
   the residual graph from the short-staffed institution gives it an eligible inspector;
   if that inspector is at ``max_load``, one of their institutions gives them up and looks
   for another inspector, and so on until an inspector below ``max_load`` closes the path.
   Eligibility is enumerated lazily: the search walks a copy of the inspectors grouped by
   district and removes each inspector as it is reached, so a search costs about what it
   reaches, not institutions × inspectors.
4. **Failure is a proof.** When a search finds no path, the institutions ``L`` and inspectors
   ``J`` it reached are closed: every inspector in ``J`` is at ``max_load`` serving
   institutions of ``L``, and every inspector eligible for an institution of ``L`` but not
   in ``J`` is already on that institution's team. No assignment can give ``L`` more than
   ``max_load × |J|`` plus those team members, which is fewer than ``L`` needs. The message
   quotes these numbers.
"""
from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from .stream import SeededStream

_PROBES = 32          # random probes for an eligible inspector before scanning the pool
_SHOWN_IDS = 5        # ids quoted in a message before "… (N in all)"
_NO_DISTRICT = -1     # every inspector's district code when avoid_own_district is false


class Place(Protocol):
    id: str
    district: str


class Person(Protocol):
    id: str
    district: str
    avoid: Collection[str]


@dataclass(frozen=True)
class Staffing:
    """One department's outcome: the teams (inspector ids, sorted), or why there are none.

    ``teams`` follows the order of the institutions given to :func:`staff_department`.
    """

    teams: tuple[tuple[str, ...], ...] = ()
    shortfall: str | None = None


def staff_department(department: str, institutions: Sequence[Place], inspectors: Sequence[Person],
                     *, team_size: int, max_load: int, avoid_own_district: bool,
                     stream: SeededStream) -> Staffing:
    """Give every institution ``team_size`` distinct eligible inspectors of ``department``.

    Neither list's order matters: both are sorted by id before ``stream`` is used.
    """
    network = _Network(institutions, inspectors, team_size, max_load, avoid_own_district)
    shortfall = network.check_counts(department)
    if shortfall is None:
        network.fill_greedily(stream)
        shortfall = network.complete(department)
    if shortfall is not None:
        return Staffing(shortfall=shortfall)
    teams = network.team_ids()
    return Staffing(teams=tuple(teams[institution.id] for institution in institutions))


class _Network:
    """The flow network of one department, with the current assignment.

    Institutions and inspectors are numbered by their position in id order; districts by
    small integer codes.
    """

    def __init__(self, institutions: Sequence[Place], inspectors: Sequence[Person],
                 team_size: int, max_load: int, avoid_own_district: bool):
        self.places = sorted(institutions, key=lambda place: place.id)
        self.staff = sorted(inspectors, key=lambda person: person.id)
        self.team_size, self.max_load = team_size, max_load
        self.avoid_own_district = avoid_own_district

        codes: dict[str, int] = {}
        self.place_district = [codes.setdefault(p.district, len(codes)) for p in self.places]
        self.staff_district = ([codes.setdefault(p.district, len(codes)) for p in self.staff]
                               if avoid_own_district else [_NO_DISTRICT] * len(self.staff))

        position = {place.id: k for k, place in enumerate(self.places)}
        avoiders: dict[int, set[int]] = {}
        for j, person in enumerate(self.staff):
            for place_id in person.avoid:
                k = position.get(place_id)
                if k is not None:
                    avoiders.setdefault(k, set()).add(j)
        nobody: frozenset[int] = frozenset()
        self.avoiders = [avoiders.get(k, nobody) for k in range(len(self.places))]

        self.by_district: dict[int, list[int]] = {}
        for j, code in enumerate(self.staff_district):
            self.by_district.setdefault(code, []).append(j)

        self.teams: list[list[int]] = [[] for _ in self.places]
        self.load = [0] * len(self.staff)
        self.serves: list[list[int]] = [[] for _ in self.staff]

    # --- the assignment ---------------------------------------------------------------

    def eligible(self, k: int, j: int) -> bool:
        """Inspector ``j`` may join institution ``k``'s team now (load aside)."""
        return (self.staff_district[j] != self.place_district[k]
                and j not in self.avoiders[k] and j not in self.teams[k])

    def assign(self, k: int, j: int) -> None:
        self.teams[k].append(j)
        self.serves[j].append(k)
        self.load[j] += 1

    def unassign(self, k: int, j: int) -> None:
        self.teams[k].remove(j)
        self.serves[j].remove(k)
        self.load[j] -= 1

    def team_ids(self) -> dict[str, tuple[str, ...]]:
        ids = [person.id for person in self.staff]
        return {place.id: tuple([ids[j] for j in sorted(team)])
                for place, team in zip(self.places, self.teams)}

    # --- step 1: counting checks ------------------------------------------------------

    def check_counts(self, department: str) -> str | None:
        places, staff = len(self.places), len(self.staff)
        if not places:
            return None
        same_district = Counter(self.staff_district)
        for k, place in enumerate(self.places):
            own = self.place_district[k]
            in_own_district = same_district[own]
            avoiders = self.avoiders[k]
            avoiding = (sum(1 for j in avoiders if self.staff_district[j] != own)
                        if avoiders else 0)
            eligible = staff - in_own_district - avoiding
            if eligible < self.team_size:
                reasons = []
                if in_own_district:
                    reasons.append(f"{in_own_district} in its own district "
                                   f"{_quote(place.district)} (avoid_own_district)")
                if avoiding:
                    reasons.append(f"{avoiding} with it in their avoid list")
                detail = f"{department} has {_count(staff, 'inspector')}"
                if reasons:
                    detail += ": " + ", ".join(reasons)
                return (f"department {_quote(department)}: institution {_quote(place.id)} has "
                        f"{_count(eligible, 'eligible inspector')} but team_per_department is "
                        f"{self.team_size} ({detail})")
        need, room = places * self.team_size, staff * self.max_load
        if need > room:
            return (f"department {_quote(department)}: not enough inspectors: "
                    f"{_count(places, 'selected institution')} × team_per_department "
                    f"{self.team_size} need {need} assignments, but "
                    f"{_count(staff, 'inspector')} × max_per_inspector {self.max_load} "
                    f"give at most {room}")
        return None

    # --- step 2: random greedy pass ---------------------------------------------------

    def fill_greedily(self, stream: SeededStream) -> None:
        order = list(range(len(self.places)))
        stream.shuffle(order)
        pool = list(range(len(self.staff)))     # inspectors below max_load
        slot = list(range(len(self.staff)))     # where each of them sits in the pool
        load, serves, max_load = self.load, self.serves, self.max_load
        for k in order:
            team = self.teams[k]
            while len(team) < self.team_size:
                j = self._draw_inspector(k, pool, stream)
                if j is None:
                    break                       # left to the augmenting paths
                team.append(j)                  # self.assign(k, j), inlined
                serves[j].append(k)
                load[j] += 1
                if load[j] == max_load:
                    last = pool.pop()
                    if last != j:
                        pool[slot[j]] = last
                        slot[last] = slot[j]

    def _draw_inspector(self, k: int, pool: list[int], stream: SeededStream) -> int | None:
        """An inspector drawn uniformly among the pool's members eligible for ``k``."""
        size = len(pool)
        own, avoiders, team = self.place_district[k], self.avoiders[k], self.teams[k]
        district = self.staff_district
        if size > _PROBES:
            for _ in range(_PROBES):
                j = pool[stream.below(size)]
                if district[j] != own and j not in avoiders and j not in team:  # eligible()
                    return j
        candidates = [j for j in pool if self.eligible(k, j)]
        return candidates[stream.below(len(candidates))] if candidates else None

    # --- steps 3 and 4: augmenting paths, or the proof that none exists ----------------

    def complete(self, department: str) -> str | None:
        for k in range(len(self.places)):
            while len(self.teams[k]) < self.team_size:
                closed_set = self._augment(k)
                if closed_set is not None:
                    return self._shortfall(department, k, *closed_set)
        return None

    def _augment(self, root: int) -> tuple[list[int], list[int]] | None:
        """Give ``root`` one more inspector; on failure return the closed set reached."""
        unreached = {code: list(group) for code, group in self.by_district.items()}
        gives_up: dict[int, int | None] = {root: None}   # institution → inspector it releases
        joins: dict[int, int] = {}                       # inspector → institution they join
        queue = deque([root])
        while queue:
            k = queue.popleft()
            own, avoiders, team = self.place_district[k], self.avoiders[k], self.teams[k]
            for code in list(unreached):
                if code == own:
                    continue
                kept = []
                for j in unreached[code]:
                    if j in avoiders or j in team:
                        kept.append(j)
                        continue
                    joins[j] = k
                    if self.load[j] < self.max_load:
                        self._apply_path(j, joins, gives_up)
                        return None
                    for served in self.serves[j]:
                        if served not in gives_up:
                            gives_up[served] = j
                            queue.append(served)
                if kept:
                    unreached[code] = kept
                else:
                    del unreached[code]
        return list(gives_up), list(joins)

    def _apply_path(self, last: int, joins: dict[int, int],
                    gives_up: dict[int, int | None]) -> None:
        """Walk the path back from ``last``: each institution takes its inspector and releases
        the one it was reached through, who moves one step closer to the root."""
        j: int | None = last
        while j is not None:
            k = joins[j]
            released = gives_up[k]
            self.assign(k, j)
            if released is not None:
                self.unassign(k, released)
            j = released

    def _shortfall(self, department: str, root: int, places: list[int], staff: list[int]) -> str:
        """The message for a failed search from ``root`` that reached ``places`` and ``staff``."""
        reached = set(staff)
        at_capacity = self.max_load * len(staff)
        once_each = sum(1 for k in places for j in self.teams[k] if j not in reached)
        need = self.team_size * len(places)
        message = (f"department {_quote(department)}: institution {_quote(self.places[root].id)} "
                   f"cannot get {_count(self.team_size, 'distinct inspector')}: ")
        if len(places) > 1:
            message += (f"the {len(places)} selected institutions competing for the same "
                        f"inspectors ({_ids(self.places, places)}) need {need} assignments")
        else:
            message += f"it needs {need} assignments"
        sources = []
        if staff:
            sources.append(f"{at_capacity} from {_count(len(staff), 'inspector')} "
                           f"({_ids(self.staff, staff)}) at max_per_inspector {self.max_load}")
        if once_each or not staff:
            rules = "avoid lists and own districts" if self.avoid_own_district else "avoid lists"
            sources.append(f"{once_each} from the other inspectors eligible for them (after "
                           f"{rules}), each at most once per institution")
        return (f"{message}, but any assignment gives them at most {at_capacity + once_each}: "
                + ", and ".join(sources))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _ids(items: Sequence[Place], indexes: list[int]) -> str:
    chosen = sorted(indexes)
    shown = ", ".join(_quote(items[n].id) for n in chosen[:_SHOWN_IDS])
    return shown if len(chosen) <= _SHOWN_IDS else f"{shown}, … ({len(chosen)} in all)"
