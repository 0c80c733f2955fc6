"""The part of mmdetection 3.x's registry a loss module uses: register_module(name=...) and get."""


class Registry:
    def __init__(self, name):
        self.name = name
        self._modules = {}

    def register_module(self, name=None, force=False, module=None):
        def register(cls):
            key = name or cls.__name__
            if key in self._modules and not force:
                raise KeyError(f"{key} is already registered in {self.name}")
            self._modules[key] = cls
            return cls

        return register(module) if module is not None else register

    def get(self, key):
        return self._modules.get(key)


MODELS = Registry("model")
