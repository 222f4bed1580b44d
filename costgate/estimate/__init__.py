"""From a spec and a price table to numbers: render, count, bill, simulate, project.

Import from the modules (``estimate.simulate.estimate``, ``estimate.results``): this
package imports nothing itself, so renderers that only need the result records do not
load Jinja2 and the tokenizers.
"""
