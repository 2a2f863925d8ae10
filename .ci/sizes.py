#!/usr/bin/env python3
"""Issue 28's size counts: functions over 80 lines and files over 400 lines of code, outside
`#[cfg(test)] mod` blocks, in `src/` and `crates/*/src` (ARCHITECTURE.md, "Where issue 28
stands"). Functions are found by matching braces after comments, strings and character
literals are blanked; a function's length runs from its `fn` line to its closing brace. Lines
of code are the lines left non-blank once comments (doc comments included) are removed.

Usage: python3 .ci/sizes.py [ROOT]   (prints `FN lines path name line` and `LOC lines path`)
"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else '.'
def strip(src):
    # remove strings/chars/comments, keep newlines, to match braces
    out=[];i=0;n=len(src)
    while i<n:
        c=src[i]
        if src.startswith('//',i):
            j=src.find('\n',i); j=n if j<0 else j
            out.append(' '*(j-i)); i=j; continue
        if src.startswith('/*',i):
            j=src.find('*/',i)+2
            out.append(re.sub(r'[^\n]',' ',src[i:j])); i=j; continue
        m=re.match(r'r(#*)"',src[i:i+10])
        if m and (i==0 or not (src[i-1].isalnum() or src[i-1]=='_')):
            h=m.group(1); end='"'+h
            j=src.find(end,i+len(m.group(0)))+len(end)
            out.append(re.sub(r'[^\n]',' ',src[i:j])); i=j; continue
        if c=='"':
            j=i+1
            while src[j]!='"':
                j+= 2 if src[j]=='\\' else 1
            j+=1
            out.append(re.sub(r'[^\n]',' ',src[i:j])); i=j; continue
        if c=="'":
            m=re.match(r"'(\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'",src[i:i+12])
            if m:
                out.append(' '*len(m.group(0))); i+=len(m.group(0)); continue
        out.append(c); i+=1
    return ''.join(out)
def match(s,i):
    d=0
    for j in range(i,len(s)):
        if s[j]=='{': d+=1
        elif s[j]=='}':
            d-=1
            if d==0: return j
    return len(s)-1
def test_ranges(s):
    r=[]
    for m in re.finditer(r'#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{',s):
        b=s.index('{',m.start()); r.append((m.start(),match(s,b)))
    return r
res_f=[];res_loc=[]
for d in ['src','crates']:
    for dp,_,fs in os.walk(os.path.join(root,d)):
        if '/tests' in dp or '/benches' in dp or '/examples' in dp: continue
        for f in fs:
            if not f.endswith('.rs'): continue
            p=os.path.join(dp,f); src=open(p).read(); s=strip(src)
            tr=test_ranges(s)
            intest=lambda k: any(a<=k<=b for a,b in tr)
            for m in re.finditer(r'\bfn\s+(\w+)',s):
                if intest(m.start()): continue
                # find body start: first { or ; after signature at depth0 of parens
                j=m.end(); par=0
                while j<len(s):
                    if s[j] in '(<[': par+=1
                    elif s[j] in ')>]': par-=1
                    elif s[j]==';' : j=-1;break
                    elif s[j]=='{' and par<=0: break
                    j+=1
                if j<0 or j>=len(s): continue
                e=match(s,j)
                a=s.count('\n',0,m.start())+1; b=s.count('\n',0,e)+1
                L=b-a+1
                if L>80: res_f.append((L,p,m.group(1),a))
            # loc outside tests
            lines=s.split('\n'); keep=[True]*len(lines)
            for a,b in tr:
                la=s.count('\n',0,a); lb=s.count('\n',0,b)
                for k in range(la,lb+1): keep[k]=False
            loc=sum(1 for k,l in enumerate(lines) if keep[k] and l.strip())
            if loc>400: res_loc.append((loc,p))
for x in sorted(res_f,reverse=True): print('FN',*x)
for x in sorted(res_loc,reverse=True): print('LOC',*x)
