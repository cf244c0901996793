"""Jinja's compiled code of builder/render/templates/, written by `python tools/compile_templates.py`:
do not edit. render/shipped_templates.py uses a template's module only while its key is the digest of what
decides the code at load (Jinja's version, the environment's settings, the template's name and source)."""

JINJA_VERSION = '3.1.6'  # the Jinja that compiled the code below

# template name -> (module in this package, SHA-256 of the template's source, the code's key)
MODULES = {
    'blocks.html': ('blocks_html', '23e998076919a28bf19d087baac995f72642bf4ce938691087d7d1a5440546e4',
        '1c5c447a68007599bab4b27fdb96f2400d3190a3c38bd97e49352ba65ecb23fc'),
    'launch.html': ('launch_html', '37eb03d4357ab7a5eaa09602f22c4d23afa725ffcf6e80d0f193a8ba5ab4f70c',
        '2fca47781af8e0dae7fbe84203d65fcc442dd345e85aa39536c5ed6b36d899a4'),
    'page_content.html': ('page_content_html', 'c712624accecee8ea41d3ee2a3fdfb91c1a7879a8844e1a946f7f5969969a190',
        '115badd11819e7962370ce41d82e9dc0994aa0b294191ea99a49a4ac040501e0'),
}
