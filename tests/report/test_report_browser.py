"""The report of a real run in headless Chromium, with the network off: no console errors, working filters.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); skipped only when they are absent.
Saves screenshots under docs/ for the README.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptbandit import load_run, report
from promptbandit.report.series import outcome

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="headless browser test needs /usr/bin/chromium and chromedriver: "
                              "apt-get install chromium chromium-driver (.ci/run does this)"),
]


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1500"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(60)
        # The network is off for the whole session: the page must need nothing but itself.
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        yield driver
    finally:
        driver.quit()


def _shown(driver: object) -> list[object]:
    from selenium.webdriver.common.by import By

    return [card for card in driver.find_elements(By.CSS_SELECTOR, "article.rollout") if card.is_displayed()]  # type: ignore[attr-defined]


def test_report_of_a_real_run_works_offline_in_chromium(reinforce_run: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    page = report(reinforce_run)
    run = load_run(reinforce_run)
    outcomes = Counter(outcome(r) for r in run.records)
    assert outcomes["correct"] and outcomes["incorrect"], f"the run should mix right and wrong answers: {outcomes}"

    driver.get(page.as_uri())  # type: ignore[attr-defined]
    assert driver.title.startswith("promptbandit report")  # type: ignore[attr-defined]
    for plot in ("plot-probability", "plot-reward"):
        assert driver.execute_script(  # type: ignore[attr-defined]
            f"return document.getElementById('{plot}').naturalWidth") > 0, f"{plot} did not render"
    loaded = driver.execute_script(  # type: ignore[attr-defined]
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert [name for name in loaded if not name.startswith("data:")] == []
    count = driver.find_element(By.ID, "filter-count")  # type: ignore[attr-defined]
    assert count.text == "12 of 12 steps shown" and len(_shown(driver)) == 12

    arm_filter = Select(driver.find_element(By.ID, "filter-arm"))  # type: ignore[attr-defined]
    result_filter = Select(driver.find_element(By.ID, "filter-outcome"))  # type: ignore[attr-defined]
    busiest = Counter(r.arm for r in run.records).most_common(1)[0][0]
    arm_filter.select_by_value(str(busiest))
    shown = _shown(driver)
    assert len(shown) == sum(r.arm == busiest for r in run.records)
    assert {card.get_attribute("data-arm") for card in shown} == {str(busiest)}

    arm_filter.select_by_value("")
    for wanted in ("correct", "incorrect"):
        result_filter.select_by_value(wanted)
        shown = _shown(driver)
        assert len(shown) == outcomes[wanted]
        assert {card.get_attribute("data-outcome") for card in shown} == {wanted}
        assert count.text == f"{outcomes[wanted]} of 12 steps shown"

    # Both filters at once, chosen by clicking an arm in the table.
    wrong_arm = next(r.arm for r in run.records if outcome(r) == "incorrect")
    driver.find_element(By.CSS_SELECTOR, f'#arm-table a.armlink[data-arm="{wrong_arm}"]').click()  # type: ignore[attr-defined]
    shown = _shown(driver)
    expected = [r.step for r in run.records if r.arm == wrong_arm and outcome(r) == "incorrect"]
    assert [int(card.get_attribute("data-step")) for card in shown] == expected

    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []

    DOCS.mkdir(exist_ok=True)
    driver.save_screenshot(str(DOCS / "report-rollouts.png"))  # type: ignore[attr-defined]
    arm_filter.select_by_value("")
    result_filter.select_by_value("")
    driver.execute_script("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
    driver.save_screenshot(str(DOCS / "report-screenshot.png"))  # type: ignore[attr-defined]
    assert (DOCS / "report-screenshot.png").stat().st_size > 10_000
