"""Every figure of the progress rules, selectors and report builders equals the oracle's
(tests/oracle/model.py, the specification in code) on generated messy worlds."""

import pytest

from tests.conftest import ensure_reference_data
from tests.oracle.load import load
from tests.oracle.platform import function_disagreements
from tests.oracle.world import generate

pytestmark = pytest.mark.django_db

# Every pupil's record and timeline on the first seeds; on the others the pupils with the
# longest histories (bench/oracle_seeds.py runs hundreds more on demand).
THOROUGH_SEEDS = (1, 2)
CI_SEEDS = range(1, 17)


@pytest.mark.parametrize("seed", CI_SEEDS)
def test_every_function_level_figure_equals_the_oracles(seed):
    ensure_reference_data()
    world = generate(seed)
    loaded = load(world)
    assert function_disagreements(loaded, thorough=seed in THOROUGH_SEEDS) == []
