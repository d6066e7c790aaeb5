"""Framework integrations, pure Python; each imports its framework lazily.

- ``sidecar.integrations.hf.SidecarCallback``: a transformers ``TrainerCallback``.
- ``sidecar.integrations.lightning.SidecarCallback``: a Lightning ``Callback``.
- ``sidecar.integrations.loop.Guard``: a plain training loop's helper.

All three share one rule for stop requests (``sidecar.integrations.loop``): an
operator's "Stop Job" answer, or ``on_alert="stop"`` and a critical alert.
"""
