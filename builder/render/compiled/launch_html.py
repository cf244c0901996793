# Jinja 3.1.6's compiled code of builder/render/templates/launch.html, written by `python tools/compile_templates.py`:
# do not edit. Not a module to import: render/shipped_templates.py runs it as Jinja runs compiled code, with
# `environment` given.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'launch.html'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_title = resolve('title')
    l_0_page_files = resolve('page_files')
    l_0_runtime_script = resolve('runtime_script')
    l_0_t = resolve('t')
    l_0_subtitle = resolve('subtitle')
    l_0_h1 = resolve('h1')
    l_0_md = resolve('md')
    l_0_modules = resolve('modules')
    l_0_course = resolve('course')
    l_0_certificate = resolve('certificate')
    l_0_menu_modules = resolve('menu_modules')
    l_0_signatory = resolve('signatory')
    l_0_data_json = resolve('data_json')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape((undefined(name='lang') if l_0_lang is missing else l_0_lang))
    yield '" class="cp-no-js">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="generator" content="coursepack">\n<link rel="icon" href="data:,">\n<title>'
    yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
    yield '</title>\n<link rel="stylesheet" href="runtime/player.css">\n<link rel="expect" href="#cp-parsed" blocking="render">\n'
    if (not t_3((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files))):
        pass
        yield '<link rel="preload" as="script" href="'
        yield escape((undefined(name='runtime_script') if l_0_runtime_script is missing else l_0_runtime_script))
        yield '">\n'
    yield '</head>\n<body>\n<a class="cp-skip" href="#cp-main">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'skip'))
    yield '</a>\n<header class="cp-header">\n  <div class="cp-bar">\n    <div class="cp-heading">\n'
    if (undefined(name='subtitle') if l_0_subtitle is missing else l_0_subtitle):
        pass
        yield '      <p class="cp-subtitle">'
        yield escape((undefined(name='subtitle') if l_0_subtitle is missing else l_0_subtitle))
        yield '</p>\n'
    yield '      <h1 class="cp-title">'
    yield escape((undefined(name='h1') if l_0_h1 is missing else l_0_h1))
    yield '</h1>\n    </div>\n    <button type="button" class="cp-btn cp-btn-quiet" id="cp-exit" data-cp-action="exit" hidden>'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'save_exit'))
    yield '</button>\n  </div>\n  <p class="cp-notice" id="cp-notice" data-cp-notice hidden>'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'local_only'))
    yield '</p>\n  <p class="cp-notice" id="cp-mode-notice" data-cp-mode-notice hidden></p>\n</header>\n<main id="cp-main" class="cp-main" tabindex="-1"'
    if (not t_3((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files))):
        pass
        yield ' data-cp-page-files="'
        yield escape(environment.getattr((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files), 'folder'))
        yield '" data-cp-page-chunks="'
        yield escape(t_1(context.eval_ctx, environment.getattr((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files), 'starts'), ' '))
        yield '"'
    yield '>\n  <p class="cp-welcome" data-cp-welcome hidden></p>\n  <noscript><p class="cp-noscript">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'needs_js'))
    yield '</p></noscript>\n  <section class="cp-view cp-menu" id="cp-menu" data-cp-view="menu" aria-labelledby="cp-menu-title" hidden>\n    <h2 id="cp-menu-title" tabindex="-1">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'contents'))
    yield '</h2>\n'
    if (undefined(name='subtitle') if l_0_subtitle is missing else l_0_subtitle):
        pass
        yield '    '
        yield escape(context.call((undefined(name='md') if l_0_md is missing else l_0_md), environment.getattr(environment.getattr(environment.getitem((undefined(name='modules') if l_0_modules is missing else l_0_modules), 0), 'm'), 'description')))
        yield '\n'
    else:
        pass
        yield '    <div class="cp-intro">'
        yield escape(context.call((undefined(name='md') if l_0_md is missing else l_0_md), environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'description')))
        yield '</div>\n'
    if environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'reviewed'):
        pass
        yield '    <p class="cp-reviewed">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'reviewed', date=context.call(environment.getattr(environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'reviewed'), 'isoformat'))))
        yield '</p>\n'
    yield '    <p class="cp-resume" data-cp-resume hidden><button type="button" class="cp-btn cp-btn-primary" id="cp-resume" data-cp-action="resume">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'resume'))
    yield '</button></p>\n    <p class="cp-start" data-cp-start><button type="button" class="cp-btn cp-btn-primary" id="cp-start" data-cp-action="start">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'start'))
    yield '</button></p>\n    <p class="cp-overall" data-cp-overall></p>\n    <div class="cp-failed-help" data-cp-failed-help hidden>\n'
    if environment.getattr(environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'completion'), 'if_failed'):
        pass
        yield '      '
        yield escape(context.call((undefined(name='md') if l_0_md is missing else l_0_md), environment.getattr(environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'completion'), 'if_failed')))
        yield '\n'
    yield '    </div>\n    <section class="cp-checklist" aria-labelledby="cp-checklist-title">\n      <h3 id="cp-checklist-title">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), ('checklist_certificate' if (undefined(name='certificate') if l_0_certificate is missing else l_0_certificate) else 'checklist_completion')))
    yield '</h3>\n      <ul class="cp-rules" data-cp-checklist></ul>\n      <p class="cp-course-progress"><span id="cp-course-progress-label">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'course_progress'))
    yield '</span> <progress max="100" value="0" data-cp-course-bar aria-labelledby="cp-course-progress-label"></progress> <span data-cp-course-percent>0%</span></p>\n    </section>\n    <ol class="cp-modules"'
    if ((undefined(name='menu_modules') if l_0_menu_modules is missing else l_0_menu_modules) < t_2((undefined(name='modules') if l_0_modules is missing else l_0_modules))):
        pass
        yield ' data-cp-modules-from="'
        yield escape((undefined(name='menu_modules') if l_0_menu_modules is missing else l_0_menu_modules))
        yield '"'
    yield '>\n'
    for l_1_mod in (undefined(name='modules') if l_0_modules is missing else l_0_modules)[:(undefined(name='menu_modules') if l_0_menu_modules is missing else l_0_menu_modules)]:
        _loop_vars = {}
        pass
        yield '      <li class="cp-module" data-cp-module="'
        yield escape(environment.getattr(environment.getattr(l_1_mod, 'm'), 'id'))
        yield '">\n        <h3 class="cp-module-title">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'module_title', n=environment.getattr(l_1_mod, 'number'), title=environment.getattr(environment.getattr(l_1_mod, 'm'), 'title'), _loop_vars=_loop_vars))
        yield '</h3>\n        <p class="cp-module-meta"><span data-cp-module-progress="'
        yield escape(environment.getattr(l_1_mod, 'index'))
        yield '">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'pages_seen', seen=0, pages=context.call((undefined(name='t') if l_0_t is missing else l_0_t), ('n.page.one' if (t_2(environment.getattr(l_1_mod, 'pages')) == 1) else 'n.page.other'), n=t_2(environment.getattr(l_1_mod, 'pages')), _loop_vars=_loop_vars), _loop_vars=_loop_vars))
        yield '</span><span class="cp-done" data-cp-module-done="'
        yield escape(environment.getattr(l_1_mod, 'index'))
        yield '" hidden> · <span aria-hidden="true">&#10003;</span> '
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'complete', _loop_vars=_loop_vars))
        yield '</span><span class="cp-blocked" data-cp-module-blocked="'
        yield escape(environment.getattr(l_1_mod, 'index'))
        yield '" hidden></span> · '
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'about_minutes', n=environment.getattr(environment.getattr(l_1_mod, 'm'), 'minutes'), _loop_vars=_loop_vars))
        yield '</p>\n        <p class="cp-module-bar"><progress max="100" value="0" data-cp-module-bar="'
        yield escape(environment.getattr(l_1_mod, 'index'))
        yield '" aria-label="'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'module_progress', n=environment.getattr(l_1_mod, 'number'), _loop_vars=_loop_vars))
        yield '"></progress> <span data-cp-module-percent="'
        yield escape(environment.getattr(l_1_mod, 'index'))
        yield '">0%</span></p>\n'
        if t_3((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files)):
            pass
            yield '        <ol class="cp-pages">\n'
            for l_2_pg in environment.getattr(l_1_mod, 'pages'):
                _loop_vars = {}
                pass
                yield '          <li><a class="cp-page-link" href="#cp-page-'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '" data-cp-goto="'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '">'
                yield escape(environment.getattr(environment.getattr(l_2_pg, 'page'), 'title'))
                yield '</a><span class="cp-seen" data-cp-seen="'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '" hidden> <span aria-hidden="true">&#10003;</span><span class="cp-sr">'
                yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'seen', _loop_vars=_loop_vars))
                yield '</span></span></li>\n'
            l_2_pg = missing
            yield '        </ol>\n'
        else:
            pass
            yield '        <ol class="cp-pages" data-cp-pages="'
            yield escape(environment.getattr(l_1_mod, 'index'))
            yield '"></ol>\n'
        yield '      </li>\n'
    l_1_mod = missing
    if (undefined(name='certificate') if l_0_certificate is missing else l_0_certificate):
        pass
        yield '      <li class="cp-module cp-module-cert" data-cp-module="certificate">\n        <h3 class="cp-module-title">'
        yield escape(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'title'))
        yield '</h3>\n        <p class="cp-module-meta"><a class="cp-page-link" href="#cp-certificate" data-cp-goto="certificate">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'view_certificate'))
        yield '</a> <span data-cp-cert-state>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'cert_locked'))
        yield '</span></p>\n      </li>\n'
    yield '    </ol>\n  </section>\n'
    if t_3((undefined(name='page_files') if l_0_page_files is missing else l_0_page_files)):
        pass
        for l_1_mod in (undefined(name='modules') if l_0_modules is missing else l_0_modules):
            _loop_vars = {}
            pass
            for l_2_pg in environment.getattr(l_1_mod, 'pages'):
                l_2_contents = resolve('contents')
                _loop_vars = {}
                pass
                yield '  <section class="cp-view cp-page" id="cp-page-'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '" data-cp-view="page" data-cp-page="'
                yield escape(environment.getattr(l_2_pg, 'key'))
                yield '" data-cp-page-index="'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '" aria-labelledby="cp-page-'
                yield escape(environment.getattr(l_2_pg, 'index'))
                yield '-title" hidden><noscript data-cp-inert>\n'
                yield escape(environment.getitem((undefined(name='contents') if l_2_contents is missing else l_2_contents), environment.getattr(l_2_pg, 'index')))
                yield '    </noscript>\n</section>\n'
            l_2_pg = l_2_contents = missing
        l_1_mod = missing
    if (undefined(name='certificate') if l_0_certificate is missing else l_0_certificate):
        pass
        yield '  <section class="cp-view cp-certificate-view" id="cp-certificate" data-cp-view="certificate" aria-labelledby="cp-certificate-title" hidden>\n    <h2 id="cp-certificate-title" tabindex="-1">'
        yield escape(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'title'))
        yield '</h2>\n    <div class="cp-cert-locked" data-cp-cert-locked>\n      <p>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'unlocks_when'))
        yield '</p>\n      <ul class="cp-missing" data-cp-cert-missing></ul>\n    </div>\n    <form class="cp-cert-form" data-cp-cert-form hidden>\n      <p><label for="cp-cert-name-input">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'name_label'))
        yield '</label></p>\n      <p><input class="cp-input" id="cp-cert-name-input" type="text" autocomplete="name" maxlength="100" aria-describedby="cp-cert-name-error" data-cp-cert-name-input> <button type="submit" class="cp-btn cp-btn-primary" data-cp-action="cert-name">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'show_certificate'))
        yield '</button></p>\n      <p class="cp-error" id="cp-cert-name-error" data-cp-cert-name-error role="alert"></p>\n    </form>\n    <div class="cp-cert-ready" data-cp-cert-ready hidden>\n      <div class="cp-cert" id="cp-cert" data-cp-certificate>\n        <p class="cp-cert-practice" data-cp-cert-practice hidden>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'practice_copy'))
        yield '</p>\n        <p class="cp-cert-title">'
        yield escape(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'title'))
        yield '</p>\n        <p class="cp-cert-lead">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'certifies'))
        yield '</p>\n        <p class="cp-cert-name" data-cp-cert-name></p>\n        <div class="cp-cert-statement">\n'
        if environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'statement'):
            pass
            yield '          '
            yield escape(context.call((undefined(name='md') if l_0_md is missing else l_0_md), environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'statement')))
            yield '\n'
        else:
            pass
            yield '          <p>'
            yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'has_completed'))
            yield '</p>\n'
        yield '        </div>\n'
        if ((not environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'statement')) or (environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'title') not in environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'statement'))):
            pass
            yield '        <p class="cp-cert-course">'
            yield escape(environment.getattr((undefined(name='course') if l_0_course is missing else l_0_course), 'title'))
            yield '</p>\n'
        yield '        <dl class="cp-cert-facts">\n          <div><dt>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'date_completed'))
        yield '</dt><dd data-cp-cert-date></dd></div>\n'
        if environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'credit_hours'):
            pass
            yield '          <div><dt>'
            yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'hours'))
            yield '</dt><dd>'
            yield escape(('%g' % environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'credit_hours')))
            yield '</dd></div>\n'
        yield '          <div><dt>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'issued_by'))
        yield '</dt><dd>'
        yield escape(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'issuer'))
        yield '</dd></div>\n          <div><dt>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'verification'))
        yield '</dt><dd class="cp-cert-code" data-cp-cert-code></dd></div>\n        </dl>\n        <p class="cp-cert-note">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'record_note', issuer=environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'issuer')))
        yield '</p>\n'
        l_0_signatory = environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'signatory')
        context.vars['signatory'] = l_0_signatory
        context.exported_vars.add('signatory')
        yield '        <div class="cp-cert-sign'
        if environment.getattr((undefined(name='signatory') if l_0_signatory is missing else l_0_signatory), 'signature'):
            pass
            yield ' cp-cert-signed'
        yield '">\n'
        if environment.getattr((undefined(name='signatory') if l_0_signatory is missing else l_0_signatory), 'signature'):
            pass
            yield '          <img class="cp-cert-signature" src="assets/'
            yield escape(environment.getattr((undefined(name='signatory') if l_0_signatory is missing else l_0_signatory), 'signature'))
            yield '" alt="'
            yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'signature_of', name=environment.getattr((undefined(name='signatory') if l_0_signatory is missing else l_0_signatory), 'name')))
            yield '">\n'
        yield '          <p class="cp-cert-signatory">'
        yield escape(environment.getattr(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'signatory'), 'name'))
        yield '</p>\n          <p class="cp-cert-role">'
        yield escape(environment.getattr(environment.getattr((undefined(name='certificate') if l_0_certificate is missing else l_0_certificate), 'signatory'), 'role'))
        yield '</p>\n        </div>\n      </div>\n      <p class="cp-cert-actions"><button type="button" class="cp-btn cp-btn-primary" id="cp-print" data-cp-action="print">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'print'))
        yield '</button> <button type="button" class="cp-btn" data-cp-action="cert-rename" data-cp-cert-rename hidden>'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'change_name'))
        yield '</button></p>\n    </div>\n  </section>\n'
    yield '  <section class="cp-view cp-complete" id="cp-complete" data-cp-view="complete" aria-labelledby="cp-complete-title" hidden>\n    <h2 id="cp-complete-title" tabindex="-1" data-cp-complete-title>'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'congratulations'))
    yield '</h2>\n    <p data-cp-complete-lead></p>\n    <ul class="cp-achieved" data-cp-achieved></ul>\n    <p data-cp-complete-next></p>\n    <p class="cp-complete-actions">'
    if (undefined(name='certificate') if l_0_certificate is missing else l_0_certificate):
        pass
        yield '<button type="button" class="cp-btn cp-btn-primary" data-cp-goto="certificate">'
        yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'get_certificate'))
        yield '</button> '
    yield '<button type="button" class="cp-btn" data-cp-action="menu">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'back_to_contents'))
    yield '</button></p>\n  </section>\n  <section class="cp-view" id="cp-finished" data-cp-view="finished" aria-labelledby="cp-finished-title" hidden>\n    <h2 id="cp-finished-title" tabindex="-1">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'saved_title'))
    yield '</h2>\n    <p>'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'saved_text'))
    yield '</p>\n  </section>\n</main>\n<nav class="cp-nav" aria-label="'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'page_navigation'))
    yield '" data-cp-nav hidden>\n  <button type="button" class="cp-btn" id="cp-prev" data-cp-action="prev">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'previous'))
    yield '</button>\n  <button type="button" class="cp-btn" id="cp-menu-button" data-cp-action="menu">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'menu'))
    yield '</button>\n  <span class="cp-position" data-cp-position></span>\n  <button type="button" class="cp-btn cp-btn-primary" id="cp-next" data-cp-action="next">'
    yield escape(context.call((undefined(name='t') if l_0_t is missing else l_0_t), 'next'))
    yield '</button>\n</nav>\n<div class="cp-sr" id="cp-announce" role="status" aria-live="polite" data-cp-announce></div>\n<script type="application/json" id="coursepack-data">'
    yield escape((undefined(name='data_json') if l_0_data_json is missing else l_0_data_json))
    yield '</script>\n<script src="'
    yield escape((undefined(name='runtime_script') if l_0_runtime_script is missing else l_0_runtime_script))
    yield '"></script>\n</body>\n</html>\n'

blocks = {}
debug_info = '2=44&8=46&16=48&17=51&21=54&25=56&26=59&28=62&30=64&32=66&35=68&37=76&39=78&40=80&41=83&43=88&45=90&46=93&48=96&49=98&52=100&53=103&57=106&59=108&63=110&64=116&65=120&66=122&67=124&68=136&72=142&74=145&75=149&79=164&83=168&85=171&86=173&98=178&99=180&100=183&101=188&102=196&107=200&109=203&111=205&115=207&116=209&121=211&122=213&123=215&126=217&127=220&129=225&133=228&134=231&137=234&138=236&139=239&141=244&142=248&145=250&146=252&147=256&148=260&149=263&151=268&152=270&155=272&160=277&164=279&167=287&168=289&171=291&172=293&173=295&175=297&178=299&180=301'
