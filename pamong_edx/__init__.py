"""pamong-edx: course compiler, roster checker and LMS deployment toolkit for village-official training."""

__version__ = "0.1.0"

# The plugin API version; plugins declare the core range they need against __version__.
PLUGIN_API = "v1"
