pytest_plugins = ["motcua.testing.fixtures"]
