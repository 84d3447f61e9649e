"""What differs between the torch versions we support, one function each.

Tested on torch 2.1.2 with numpy 1.26 (the environment OpenMMLab's install
guide builds) and on torch 2.14.1 with numpy 2 (``make test``). Nothing else
in mmkd_ext branches on a torch or numpy version.
"""
import torch


def torch_tensor_globals():
    """``{'module.name': object}`` that torch's own weights-only unpickler
    allows on this torch version: tensor and parameter rebuild functions,
    storages, dtypes, ``torch.Size``, ``collections.OrderedDict``, ...

    torch 2.1 lacks some that 2.14 has (``_codecs.encode``,
    ``builtins.set``, ...); the caller adds the ones it needs by name.
    """
    from torch._weights_only_unpickler import _get_allowed_globals
    return dict(_get_allowed_globals())


def register_state_dict_post_hook(module, hook):
    """``module.register_state_dict_post_hook(hook)`` (absent in torch
    2.1), or the private method of the same behaviour that 2.1 has:
    ``hook(module, state_dict, prefix, local_metadata)`` runs after
    ``module.state_dict()`` and after mmengine's ``get_state_dict``."""
    if hasattr(module, 'register_state_dict_post_hook'):
        return module.register_state_dict_post_hook(hook)
    return module._register_state_dict_hook(hook)


def register_load_state_dict_pre_hook(module, hook):
    """``module.register_load_state_dict_pre_hook(hook)`` (absent in
    torch 2.1), or the private method of the same behaviour that 2.1 has:
    ``hook(module, state_dict, prefix, local_metadata, strict,
    missing_keys, unexpected_keys, error_msgs)``."""
    if hasattr(module, 'register_load_state_dict_pre_hook'):
        return module.register_load_state_dict_pre_hook(hook)
    return module._register_load_state_dict_pre_hook(hook, with_module=True)
