# Jinja 3.1.6's compiled code of builder/render/templates/page_content.html, written by `python tools/compile_templates.py`:
# do not edit. Not a module to import: render/shipped_templates.py runs it as Jinja runs compiled code, with
# `environment` given.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'page_content.html'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_block = l_0_page_content = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    included_template = environment.get_template('blocks.html', 'page_content.html').make_module(context.get_all(), True, {'block': l_0_block, 'page_content': l_0_page_content})
    l_0_block = getattr(included_template, 'block', missing)
    if l_0_block is missing:
        l_0_block = undefined(f"the template {included_template.__name__!r} (imported on line 1 in 'page_content.html') does not export the requested name 'block'", name='block')
    context.vars['block'] = l_0_block
    context.exported_vars.discard('block')
    def macro(l_1_mod, l_1_pg):
        t_2 = []
        l_1_t = resolve('t')
        l_1_subtitle = resolve('subtitle')
        l_1_md = resolve('md')
        if l_1_mod is missing:
            l_1_mod = undefined("parameter 'mod' was not provided", name='mod')
        if l_1_pg is missing:
            l_1_pg = undefined("parameter 'pg' was not provided", name='pg')
        pass
        t_2.extend((
            '    <p class="cp-crumb">',
            escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'module_page_of', n=environment.getattr(l_1_mod, 'number'), title=environment.getattr(environment.getattr(l_1_mod, 'm'), 'title'), page=environment.getattr(l_1_pg, 'number'), pages=t_1(environment.getattr(l_1_mod, 'pages')))),
            '</p>\n    <h2 class="cp-page-title" id="cp-page-',
            escape(environment.getattr(l_1_pg, 'index')),
            '-title" tabindex="-1">',
            escape(environment.getattr(environment.getattr(l_1_pg, 'page'), 'title')),
            '</h2>\n',
        ))
        if environment.getattr(l_1_pg, 'first'):
            pass
            t_2.append(
                '    <div class="cp-module-intro">\n',
            )
            if (environment.getattr(environment.getattr(l_1_mod, 'm'), 'description') and (not (undefined(name='subtitle') if l_1_subtitle is missing else l_1_subtitle))):
                pass
                t_2.extend((
                    '      ',
                    escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr(environment.getattr(l_1_mod, 'm'), 'description'))),
                    '\n',
                ))
            t_2.extend((
                '      <h3>',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'objectives')),
                '</h3>\n      <ul>\n',
            ))
            for l_2_objective in environment.getattr(environment.getattr(l_1_mod, 'm'), 'objectives'):
                _loop_vars = {}
                pass
                t_2.extend((
                    '        <li>',
                    escape(l_2_objective),
                    '</li>\n',
                ))
            l_2_objective = missing
            t_2.extend((
                '      </ul>\n      <p class="cp-minutes">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'about_minutes', n=environment.getattr(environment.getattr(l_1_mod, 'm'), 'minutes'))),
                '.</p>\n    </div>\n',
            ))
        for l_2_item in environment.getattr(l_1_pg, 'blocks'):
            _loop_vars = {}
            pass
            t_2.extend((
                escape(context.call((undefined(name='block') if l_0_block is missing else l_0_block), l_2_item, _loop_vars=_loop_vars)),
                '\n',
            ))
        l_2_item = missing
        return concat(t_2)
    context.exported_vars.add('page_content')
    context.vars['page_content'] = l_0_page_content = Macro(environment, macro, 'page_content', ('mod', 'pg'), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '1=18&5=24&6=36&7=38&8=43&10=48&11=52&13=57&15=60&16=65&19=71&22=74&23=78'
