pytest_plugins = ["motcua.testing.plugin", "motcua_devstack.pytest_plugin"]
