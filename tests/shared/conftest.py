from tests.directory.conftest import directory

__all__ = ["directory"]
