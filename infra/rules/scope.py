"""When a stack rule applies: the stack plans the area it governs.

A stack rule asks for resources that must exist together (an audit config and the sink that carries
its logs away, every required org constraint, every security alert). It applies to any stack that
plans part of its area, or the area's component, so a partial or weakened area is caught. The
integrator adds `PLATFORM` to a rule module's scope once the component is wired into the platform,
which makes the whole area mandatory for every platform stack.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.rules import Context

PLATFORM = "hipaa:platform:HipaaPlatform"


def area_planned(context: Context, types: Iterable[str]) -> bool:
    wanted = set(types)
    return any(resource.type in wanted for resource in context.resources)
