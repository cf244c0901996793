# Jinja 3.1.6's compiled code of builder/render/templates/blocks.html, written by `python tools/compile_templates.py`:
# do not edit. Not a module to import: render/shipped_templates.py runs it as Jinja runs compiled code, with
# `environment` given.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'blocks.html'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_block = l_0_full_size = l_0_question = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_item):
        t_3 = []
        l_1_md = resolve('md')
        l_1_md_legend = resolve('md_legend')
        l_1_t = resolve('t')
        l_1_lang = resolve('lang')
        l_1_b = missing
        if l_1_item is missing:
            l_1_item = undefined("parameter 'item' was not provided", name='item')
        pass
        l_1_b = environment.getattr(l_1_item, 'b')
        if (environment.getattr(l_1_item, 'type') == 'text'):
            pass
            t_3.extend((
                '    <div class="cp-block cp-text">',
                escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'text'))),
                '</div>\n',
            ))
        elif (environment.getattr(l_1_item, 'type') == 'image'):
            pass
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'caption'):
                pass
                t_3.extend((
                    '    <figure class="cp-block cp-figure"><img src="assets/',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'src')),
                    '" alt="',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'alt')),
                    '" id="',
                    escape(environment.getattr(l_1_item, 'dom')),
                    '-img"',
                ))
                if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'width'):
                    pass
                    t_3.extend((
                        ' width="',
                        escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'width')),
                        '"',
                    ))
                    if environment.getattr(l_1_item, 'height'):
                        pass
                        t_3.extend((
                            ' height="',
                            escape(environment.getattr(l_1_item, 'height')),
                            '"',
                        ))
                t_3.extend((
                    '><figcaption>',
                    escape((context.call((undefined(name='md_legend') if l_1_md_legend is missing else l_1_md_legend), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'caption')) or context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'caption')))),
                    '</figcaption>',
                    escape(context.call((undefined(name='full_size') if l_0_full_size is missing else l_0_full_size), l_1_item)),
                    '</figure>\n',
                ))
            else:
                pass
                t_3.extend((
                    '    <div class="cp-block cp-figure"><img src="assets/',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'src')),
                    '" alt="',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'alt')),
                    '" id="',
                    escape(environment.getattr(l_1_item, 'dom')),
                    '-img"',
                ))
                if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'width'):
                    pass
                    t_3.extend((
                        ' width="',
                        escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'width')),
                        '"',
                    ))
                    if environment.getattr(l_1_item, 'height'):
                        pass
                        t_3.extend((
                            ' height="',
                            escape(environment.getattr(l_1_item, 'height')),
                            '"',
                        ))
                t_3.extend((
                    '>',
                    escape(context.call((undefined(name='full_size') if l_0_full_size is missing else l_0_full_size), l_1_item)),
                    '</div>\n',
                ))
        elif (environment.getattr(l_1_item, 'type') == 'callout'):
            pass
            t_3.extend((
                '    <div class="cp-block cp-callout cp-callout-',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'style')),
                '" role="note">\n      <p class="cp-callout-title"><span class="cp-callout-kind">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'style'))),
                '</span>',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title'):
                pass
                t_3.extend((
                    ': ',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                ))
            t_3.extend((
                '</p>\n      ',
                escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'text'))),
                '\n    </div>\n',
            ))
        elif (environment.getattr(l_1_item, 'type') == 'video'):
            pass
            t_3.extend((
                '    <figure class="cp-block cp-media" aria-labelledby="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title">\n      <figcaption class="cp-media-title" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title">Video: ',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                '</figcaption>\n      <video controls preload="metadata" src="assets/',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'src')),
                '"',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'poster'):
                pass
                t_3.extend((
                    ' poster="assets/',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'poster')),
                    '"',
                ))
            t_3.extend((
                ' aria-labelledby="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title">\n',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'captions'):
                pass
                t_3.extend((
                    '        <track kind="captions" src="assets/',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'captions')),
                    '" srclang="',
                    escape((undefined(name='lang') if l_1_lang is missing else l_1_lang)),
                    '" label="',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'captions')),
                    '" default>\n',
                ))
            t_3.append(
                '      </video>\n',
            )
            if environment.getattr(l_1_item, 'transcript'):
                pass
                t_3.extend((
                    '      <details class="cp-transcript"><summary>',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'transcript')),
                    '<span class="cp-sr">: ',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                    '</span></summary><div class="cp-transcript-text">',
                    escape(environment.getattr(l_1_item, 'transcript')),
                    '</div></details>\n',
                ))
            t_3.append(
                '    </figure>\n',
            )
        elif (environment.getattr(l_1_item, 'type') == 'audio'):
            pass
            t_3.extend((
                '    <figure class="cp-block cp-media" aria-labelledby="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title">\n      <figcaption class="cp-media-title" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title">Audio: ',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                '</figcaption>\n      <audio controls preload="metadata" src="assets/',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'src')),
                '" aria-labelledby="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-title"></audio>\n',
            ))
            if environment.getattr(l_1_item, 'transcript'):
                pass
                t_3.extend((
                    '      <details class="cp-transcript"><summary>',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'transcript')),
                    '<span class="cp-sr">: ',
                    escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                    '</span></summary><div class="cp-transcript-text">',
                    escape(environment.getattr(l_1_item, 'transcript')),
                    '</div></details>\n',
                ))
            t_3.append(
                '    </figure>\n',
            )
        elif (environment.getattr(l_1_item, 'type') == 'link'):
            pass
            t_3.extend((
                '    <div class="cp-block cp-linkblock">\n      <p class="cp-link"><a href="',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'url')),
                '" target="_blank" rel="noopener noreferrer">',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title')),
                ' <span class="cp-newtab">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'new_tab')),
                '</span></a></p>\n',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'description'):
                pass
                t_3.extend((
                    '      ',
                    escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'description'))),
                    '\n',
                ))
            t_3.append(
                '    </div>\n',
            )
        elif (environment.getattr(l_1_item, 'type') == 'reflection'):
            pass
            t_3.extend((
                '    <div class="cp-block cp-reflection" data-cp-reflection="',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'id')),
                '">\n      <h3 class="cp-kind">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'reflection')),
                '</h3>\n      <div class="cp-reflection-prompt" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-prompt">',
                escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'prompt'), 4)),
                '</div>\n',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'guidance'):
                pass
                t_3.extend((
                    '      <div class="cp-guidance" id="',
                    escape(environment.getattr(l_1_item, 'dom')),
                    '-guidance">',
                    escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'guidance'), 4)),
                    '</div>\n',
                ))
            t_3.extend((
                '      <p class="cp-reflection-rule" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-rule">',
            ))
            if environment.getattr(l_1_item, 'min'):
                pass
                t_3.append(
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'required_min', min=environment.getattr(l_1_item, 'min'))),
                )
            else:
                pass
                t_3.append(
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'optional')),
                )
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'max_chars'):
                pass
                t_3.append(
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'at_most', max=environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'max_chars'))),
                )
            t_3.extend((
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'any_language')),
                '</p>\n      <textarea class="cp-textarea" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-input" rows="6" data-cp-reflection-input="',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'id')),
                '" aria-labelledby="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-prompt" aria-describedby="',
            ))
            if environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'guidance'):
                pass
                t_3.extend((
                    escape(environment.getattr(l_1_item, 'dom')),
                    '-guidance ',
                ))
            t_3.extend((
                escape(environment.getattr(l_1_item, 'dom')),
                '-rule ',
                escape(environment.getattr(l_1_item, 'dom')),
                '-count"',
            ))
            if environment.getattr(l_1_item, 'min'):
                pass
                t_3.append(
                    ' aria-required="true"',
                )
            t_3.extend((
                '></textarea>\n      <p class="cp-counter" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '-count" data-cp-counter="',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'id')),
                '">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'n.character.other', n=0)),
                '</p>\n    </div>\n',
            ))
        elif (environment.getattr(l_1_item, 'type') == 'quiz'):
            pass
            t_3.extend((
                '    <div class="cp-block cp-quiz" id="',
                escape(environment.getattr(l_1_item, 'dom')),
                '" data-cp-quiz="',
                escape(environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'id')),
                '" data-cp-quiz-index="',
                escape(environment.getattr(l_1_item, 'index')),
                '">\n      <h3 class="cp-quiz-title">',
                escape((environment.getattr((undefined(name='b') if l_1_b is missing else l_1_b), 'title') or context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'quiz'))),
                '</h3>\n      <p class="cp-quiz-status" data-cp-quiz-status></p>\n      <form class="cp-quiz-form" data-cp-quiz-form novalidate>\n',
            ))
            for l_2_qv in environment.getattr(l_1_item, 'questions'):
                _loop_vars = {}
                pass
                t_3.extend((
                    escape(context.call((undefined(name='question') if l_0_question is missing else l_0_question), l_2_qv, l_1_item, _loop_vars=_loop_vars)),
                    '\n',
                ))
            l_2_qv = missing
            t_3.extend((
                '        <p class="cp-quiz-actions">\n          <button type="submit" class="cp-btn cp-btn-primary" data-cp-action="submit">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'submit')),
                '</button>\n          <button type="button" class="cp-btn" data-cp-action="retry" hidden>',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'try_again')),
                '</button>\n        </p>\n      </form>\n      <div class="cp-quiz-result" role="status" aria-live="polite" data-cp-quiz-result tabindex="-1"></div>\n    </div>\n',
            ))
        return concat(t_3)
    context.exported_vars.add('block')
    context.vars['block'] = l_0_block = Macro(environment, macro, 'block', ('item',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_item):
        t_4 = []
        l_1_t = resolve('t')
        if l_1_item is missing:
            l_1_item = undefined("parameter 'item' was not provided", name='item')
        pass
        t_4.extend((
            '<p class="cp-fullsize"><a href="assets/',
            escape(environment.getattr(environment.getattr(l_1_item, 'b'), 'src')),
            '" target="_blank" rel="noopener noreferrer" aria-describedby="',
            escape(environment.getattr(l_1_item, 'dom')),
            '-img">',
            escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'open_full_size')),
            ' <span class="cp-newtab">',
            escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'new_tab')),
            '</span></a></p>',
        ))
        return concat(t_4)
    context.exported_vars.add('full_size')
    context.vars['full_size'] = l_0_full_size = Macro(environment, macro, 'full_size', ('item',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_qv, l_1_item):
        t_5 = []
        l_1_md_legend = resolve('md_legend')
        l_1_t = resolve('t')
        l_1_md = resolve('md')
        l_1_q = l_1_inline = missing
        if l_1_qv is missing:
            l_1_qv = undefined("parameter 'qv' was not provided", name='qv')
        if l_1_item is missing:
            l_1_item = undefined("parameter 'item' was not provided", name='item')
        pass
        l_1_q = environment.getattr(l_1_qv, 'q')
        l_1_inline = context.call((undefined(name='md_legend') if l_1_md_legend is missing else l_1_md_legend), environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'prompt'))
        t_5.extend((
            '        <fieldset class="cp-question cp-q-',
            escape(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type')),
            '" id="',
            escape(environment.getattr(l_1_qv, 'dom')),
            '" data-cp-question="',
            escape(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'id')),
            '" data-cp-type="',
            escape(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type')),
            '"',
        ))
        if t_2((undefined(name='inline') if l_1_inline is missing else l_1_inline)):
            pass
            t_5.extend((
                ' aria-describedby="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-prompt"',
            ))
        t_5.extend((
            '>\n          <legend class="cp-legend"><span class="cp-qnum">',
            escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'question_of', n=environment.getattr(l_1_qv, 'number'), total=t_1(environment.getattr(l_1_item, 'questions')))),
            '</span>',
        ))
        if (not t_2((undefined(name='inline') if l_1_inline is missing else l_1_inline))):
            pass
            t_5.extend((
                ' <span class="cp-qprompt">',
                escape((undefined(name='inline') if l_1_inline is missing else l_1_inline)),
                '</span>',
            ))
        t_5.append(
            '</legend>\n',
        )
        if t_2((undefined(name='inline') if l_1_inline is missing else l_1_inline)):
            pass
            t_5.extend((
                '          <div class="cp-qprompt" id="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-prompt">',
                escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'prompt'), 4)),
                '</div>\n',
            ))
        if (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') in ('single_choice', 'multiple_response')):
            pass
            if (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'multiple_response'):
                pass
                t_5.extend((
                    '          <p class="cp-hint">',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'select_all')),
                    '</p>\n',
                ))
            t_5.append(
                '          <div class="cp-choices" data-cp-choices>\n',
            )
            l_2_loop = missing
            for l_2_c, l_2_loop in LoopContext(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'choices'), undefined):
                l_2_mdi = resolve('mdi')
                _loop_vars = {}
                pass
                t_5.extend((
                    '            <div class="cp-choice" data-cp-choice-index="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '">\n              <input type="',
                    escape(('radio' if (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'single_choice') else 'checkbox')),
                    '" id="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-c',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '" name="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '" value="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '" data-cp-choice="',
                    escape(environment.getattr(l_2_c, 'id')),
                    '">\n              <label for="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-c',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '">',
                    escape(context.call((undefined(name='mdi') if l_2_mdi is missing else l_2_mdi), environment.getattr(l_2_c, 'text'), _loop_vars=_loop_vars)),
                    '</label>\n',
                ))
                if environment.getattr(l_2_c, 'feedback'):
                    pass
                    t_5.extend((
                        '              <div class="cp-choice-feedback" data-cp-choice-feedback="',
                        escape(environment.getattr(l_2_loop, 'index0')),
                        '" hidden>',
                        escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr(l_2_c, 'feedback'), 4, _loop_vars=_loop_vars)),
                        '</div>\n',
                    ))
                t_5.append(
                    '            </div>\n',
                )
            l_2_loop = l_2_c = l_2_mdi = missing
            t_5.append(
                '          </div>\n',
            )
        elif (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'true_false'):
            pass
            t_5.append(
                '          <div class="cp-choices" data-cp-choices>\n',
            )
            l_2_loop = missing
            for (l_2_value, l_2_label, l_2_fb), l_2_loop in LoopContext((('true', context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'true'), environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'true_feedback')), ('false', context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'false'), environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'false_feedback'))), undefined):
                _loop_vars = {}
                pass
                t_5.extend((
                    '            <div class="cp-choice" data-cp-choice-index="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '">\n              <input type="radio" id="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-',
                    escape(l_2_value),
                    '" name="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '" value="',
                    escape(l_2_value),
                    '" data-cp-choice="',
                    escape(l_2_value),
                    '">\n              <label for="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-',
                    escape(l_2_value),
                    '">',
                    escape(l_2_label),
                    '</label>\n',
                ))
                if l_2_fb:
                    pass
                    t_5.extend((
                        '              <div class="cp-choice-feedback" data-cp-choice-feedback="',
                        escape(l_2_value),
                        '" hidden>',
                        escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), l_2_fb, 4, _loop_vars=_loop_vars)),
                        '</div>\n',
                    ))
                t_5.append(
                    '            </div>\n',
                )
            l_2_loop = l_2_value = l_2_label = l_2_fb = missing
            t_5.append(
                '          </div>\n',
            )
        elif (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'fill_in'):
            pass
            t_5.extend((
                '          <p class="cp-fill"><label for="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-input">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'your_answer_label')),
                '</label> <input class="cp-input" type="text" id="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-input" maxlength="',
                escape(environment.getattr(l_1_qv, 'maxlength')),
                '" autocomplete="off" spellcheck="false" data-cp-fill-input></p>\n',
            ))
        elif (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'matching'):
            pass
            t_5.append(
                '          <div class="cp-matches">\n',
            )
            l_2_loop = missing
            for l_2_pair, l_2_loop in LoopContext(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'pairs'), undefined):
                l_2_mdi = resolve('mdi')
                _loop_vars = {}
                pass
                t_5.extend((
                    '            <p class="cp-match" data-cp-pair-index="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '"><label for="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-m',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '">',
                    escape(context.call((undefined(name='mdi') if l_2_mdi is missing else l_2_mdi), environment.getattr(l_2_pair, 'prompt'), _loop_vars=_loop_vars)),
                    '</label> <select class="cp-select" id="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-m',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '" data-cp-match="',
                    escape(environment.getattr(l_2_pair, 'id')),
                    '"><option value="">',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'choose_match', _loop_vars=_loop_vars)),
                    '</option>\n',
                ))
                for (l_3_index, l_3_text) in environment.getattr(l_1_qv, 'options'):
                    _loop_vars = {}
                    pass
                    t_5.extend((
                        '<option value="',
                        escape(environment.getattr(environment.getitem(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'pairs'), l_3_index), 'id')),
                        '">',
                        escape(l_3_text),
                        '</option>',
                    ))
                l_3_index = l_3_text = missing
                t_5.append(
                    '</select></p>\n',
                )
            l_2_loop = l_2_pair = l_2_mdi = missing
            t_5.append(
                '          </div>\n',
            )
        elif (environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'type') == 'sequencing'):
            pass
            t_5.extend((
                '          <p class="cp-hint" id="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-hint">',
                escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'order_hint')),
                '</p>\n          <ol class="cp-sequence" data-cp-sequence aria-describedby="',
                escape(environment.getattr(l_1_qv, 'dom')),
                '-hint">\n',
            ))
            for l_2_index in environment.getattr(l_1_qv, 'order'):
                l_2_mdi = resolve('mdi')
                l_2_it = missing
                _loop_vars = {}
                pass
                l_2_it = environment.getitem(environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'items'), l_2_index)
                _loop_vars['it'] = l_2_it
                t_5.extend((
                    '            <li class="cp-seq-item" data-cp-item="',
                    escape(environment.getattr((undefined(name='it') if l_2_it is missing else l_2_it), 'id')),
                    '" data-cp-item-index="',
                    escape(l_2_index),
                    '"><span class="cp-seq-text" id="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-i',
                    escape(l_2_index),
                    '">',
                    escape(context.call((undefined(name='mdi') if l_2_mdi is missing else l_2_mdi), environment.getattr((undefined(name='it') if l_2_it is missing else l_2_it), 'text'), _loop_vars=_loop_vars)),
                    '</span> <span class="cp-seq-buttons"><button type="button" class="cp-btn cp-btn-small" data-cp-move="up" aria-describedby="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-i',
                    escape(l_2_index),
                    '">',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'move_up', _loop_vars=_loop_vars)),
                    '</button> <button type="button" class="cp-btn cp-btn-small" data-cp-move="down" aria-describedby="',
                    escape(environment.getattr(l_1_qv, 'dom')),
                    '-i',
                    escape(l_2_index),
                    '">',
                    escape(context.call((undefined(name='t') if l_1_t is missing else l_1_t), 'move_down', _loop_vars=_loop_vars)),
                    '</button></span></li>\n',
                ))
            l_2_index = l_2_it = l_2_mdi = missing
            t_5.append(
                '          </ol>\n',
            )
        t_5.append(
            '          <div class="cp-qfeedback" data-cp-qfeedback hidden>\n            <p class="cp-verdict" data-cp-verdict></p>\n',
        )
        if environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'explanation'):
            pass
            t_5.extend((
                '            <div class="cp-explanation" data-cp-explanation>',
                escape(context.call((undefined(name='md') if l_1_md is missing else l_1_md), environment.getattr((undefined(name='q') if l_1_q is missing else l_1_q), 'explanation'), 4)),
                '</div>\n',
            ))
        t_5.append(
            '          </div>\n        </fieldset>\n',
        )
        return concat(t_5)
    context.exported_vars.add('question')
    context.vars['question'] = l_0_question = Macro(environment, macro, 'question', ('qv', 'item'), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '1=24&2=34&3=35&4=39&5=42&6=44&7=48&9=80&11=106&12=110&13=112&14=123&16=126&17=130&18=132&19=136&20=151&21=155&24=165&25=169&28=179&29=183&30=185&31=189&32=194&33=198&36=208&38=212&39=219&40=223&43=229&44=233&45=235&46=237&47=242&48=246&50=253&51=274&52=300&54=307&55=311&56=317&59=320&60=324&63=330&64=332&74=339&76=360&77=371&78=372&79=375&80=393&81=406&82=410&84=415&85=417&86=421&89=428&90=434&91=436&92=448&93=455&94=459&99=471&101=477&102=482&103=484&104=494&105=501&106=505&111=517&112=521&113=530&115=536&116=542&117=559&120=577&121=581&122=585&123=588&124=593&125=597&131=627&132=631'
