"""The network view: the links the program's rounds made across departments, time zones and
languages, each drawn as a picture with its numbers in a table."""

from __future__ import annotations

from flask import render_template

from portal.domain.network import FAR_APART_HOURS
from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.blueprint import bp


@bp.get("/programs/<slug>/network")
@organizer_required
def network(slug: str) -> str:
    # The charts (and pygal) are imported here, not with the module: the app's other pages
    # do not pay for them when a Lambda starts.
    from portal.presenters import network_charts

    program = current_program()
    found = services().participation.network(slug)
    pictures = {}
    if found.departments.known:
        pictures["departments"] = network_charts.matrix(found.departments, "department")
    if found.time_zones.known:
        pictures["time_zones"] = network_charts.matrix(found.time_zones, "time zone")
    if found.languages.known:
        pictures["languages"] = network_charts.shared(found.languages)
    return render_template(
        "organize/network.html",
        program=program,
        network=found,
        pictures=pictures,
        far_hours=FAR_APART_HOURS,
        max_groups=network_charts.MAX_GROUPS,
    )
