"""make demo runs on the lab instance FLEETOPS_LAB names (tests/tools/demo.py)."""
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location("demo", os.path.join(HERE, "..", "..", "tools", "demo.py"))
demo = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(demo)


def test_the_demo_runs_on_the_instance_fleetops_lab_names():
    instance = demo.lab_instance({"FLEETOPS_LAB": "mine"})
    assert instance == "mine"
    assert demo.scenarios(instance) == {"mine-1": "queued-update", "mine-2": "os-reboot-required", "mine-3": "clean"}


def test_the_demo_instance_is_demo_by_default():
    assert demo.lab_instance({}) == "demo"
    assert list(demo.scenarios(demo.lab_instance({"FLEETOPS_LAB": ""}))) == ["demo-1", "demo-2", "demo-3"]
