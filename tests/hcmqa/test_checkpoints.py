"""Checkpoint folders: only complete ones (trainer_state.json parses) are resumed from."""

import subprocess
import sys

from hcmqa.checkpoints import checkpoint_folders, is_complete_checkpoint, last_complete_checkpoint


def checkpoint(folder, step, state):
    path = folder / f"checkpoint-{step}"
    path.mkdir(parents=True)
    if state is not None:
        (path / "trainer_state.json").write_text(state, encoding="utf-8")
    return path


def test_the_newest_complete_checkpoint_wins_by_step_not_by_name(tmp_path):
    folder = tmp_path / "checkpoints"
    checkpoint(folder, 2, "{}")
    ten = checkpoint(folder, 10, '{"global_step": 10}')
    checkpoint(folder, 12, None)  # killed before the state was written
    checkpoint(folder, 14, '{"glob')  # killed while writing it
    assert last_complete_checkpoint(folder) == ten
    assert [step for step, _ in checkpoint_folders(folder)] == [2, 10, 12, 14]
    assert [is_complete_checkpoint(p) for _, p in checkpoint_folders(folder)] == [True, True, False, False]


def test_other_entries_are_not_checkpoints(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / "checkpoint-3").write_text("a file, not a folder")
    (folder / "checkpoint-4-old").mkdir()
    (folder / "checkpoint-4-old" / "trainer_state.json").write_text("{}")
    (folder / "runs").mkdir()
    assert checkpoint_folders(folder) == []
    assert last_complete_checkpoint(folder) is None


def test_a_missing_folder_has_no_checkpoints(tmp_path):
    assert checkpoint_folders(tmp_path / "nowhere") == []
    assert last_complete_checkpoint(tmp_path / "nowhere") is None


def test_checking_checkpoints_does_not_import_torch():
    code = "import sys, hcmqa.checkpoints; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
